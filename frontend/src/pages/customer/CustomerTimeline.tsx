import { Anchor, Badge, Button, Group, Paper, Stack, Text } from "@mantine/core";
import { Link } from "react-router";
import type { TimelineEntry } from "../../api/types";
import { ChannelBadge } from "../../components/Badges";
import { absTime, relTime } from "../../lib/format";
import { MessageBody } from "../ticket/Timeline";
import classes from "../ticket/Ticket.module.css";
import { KIND_LABEL } from "./timelineKinds";


function Entry({ item }: { item: TimelineEntry }) {
  const kind = KIND_LABEL[item.kind] ?? { label: item.kind, color: "gray" };
  const message = item.message;
  return (
    <Paper
      withBorder
      p="sm"
      radius="md"
      className={message && !message.public ? classes.internal : undefined}
      data-testid="customer-timeline-entry"
      data-kind={item.kind}
    >
      <Group justify="space-between" wrap="nowrap" mb={4}>
        <Group gap={6} wrap="nowrap">
          {message ? <ChannelBadge channel={message.channel} /> : <Badge size="sm" variant="light" color={kind.color}>{kind.label}</Badge>}
          {message && !message.public && (
            <Badge color="yellow" c="dark" size="sm">
              Internal note
            </Badge>
          )}
          <Text size="sm" fw={600}>
            {message ? message.author.name : item.title}
          </Text>
          {item.ticket_id !== null && (
            <Anchor component={Link} to={`/tickets/${item.ticket_id}`} size="sm" lineClamp={1}>
              #{item.ticket_id} {item.ticket_subject ?? ""}
            </Anchor>
          )}
        </Group>
        <Text size="xs" c="dimmed" title={absTime(item.at)} style={{ whiteSpace: "nowrap" }}>
          {relTime(item.at)}
        </Text>
      </Group>
      {message ? (
        <MessageBody item={message} />
      ) : (
        (item.text || item.actor) && (
          <Text size="sm" c="dimmed">
            {[item.text, (item.kind === "journey" || item.kind === "lead") && item.actor ? `(${item.actor})` : null].filter(Boolean).join(" ")}
          </Text>
        )
      )}
    </Paper>
  );
}

export function CustomerTimeline({
  items,
  hasMore = false,
  loadingMore = false,
  onMore,
}: {
  items: TimelineEntry[];
  hasMore?: boolean;
  loadingMore?: boolean;
  onMore?: () => void;
}) {
  if (items.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No interactions yet.
      </Text>
    );
  return (
    <Stack gap="sm">
      {items.map((i) => (
        <Entry key={i.key} item={i} />
      ))}
      {hasMore && (
        <Button variant="default" onClick={onMore} loading={loadingMore} style={{ alignSelf: "center" }}>
          Show older
        </Button>
      )}
    </Stack>
  );
}
