import { Anchor, Badge, Group, Paper, Stack, Text } from "@mantine/core";
import { Link } from "react-router";
import type { TimelineEntry } from "../../api/types";
import { ChannelBadge } from "../../components/Badges";
import { absTime, relTime } from "../../lib/format";
import { MessageBody } from "../ticket/Timeline";
import classes from "../ticket/Ticket.module.css";

export function CustomerTimeline({ items }: { items: TimelineEntry[] }) {
  const sorted = [...items].sort((a, b) => b.created_at.localeCompare(a.created_at));
  if (sorted.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No interactions yet.
      </Text>
    );
  return (
    <Stack gap="sm">
      {sorted.map((i) => (
        <Paper
          key={i.id}
          withBorder
          p="sm"
          radius="md"
          className={i.public ? undefined : classes.internal}
          data-testid="customer-timeline-entry"
        >
          <Group justify="space-between" wrap="nowrap" mb={4}>
            <Group gap={6} wrap="nowrap">
              <ChannelBadge channel={i.channel} />
              {!i.public && (
                <Badge color="yellow" c="dark" size="sm">
                  Internal note
                </Badge>
              )}
              <Text size="sm" fw={600}>
                {i.author.name}
              </Text>
              <Anchor component={Link} to={`/tickets/${i.ticket_id}`} size="sm" lineClamp={1}>
                #{i.ticket_number} {i.ticket_subject}
              </Anchor>
            </Group>
            <Text size="xs" c="dimmed" title={absTime(i.created_at)} style={{ whiteSpace: "nowrap" }}>
              {relTime(i.created_at)}
            </Text>
          </Group>
          <MessageBody item={i} />
        </Paper>
      ))}
    </Stack>
  );
}
