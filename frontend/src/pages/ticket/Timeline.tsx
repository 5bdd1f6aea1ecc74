import { Avatar, Badge, Group, Paper, Stack, Text, Typography } from "@mantine/core";
import { IconLock } from "@tabler/icons-react";
import type { Interaction } from "../../api/types";
import { ChannelBadge } from "../../components/Badges";
import { absTime, relTime } from "../../lib/format";
import classes from "./Ticket.module.css";

export function MessageBody({ item }: { item: Pick<Interaction, "body_html" | "body_text"> }) {
  if (item.body_html) {
    // body_html is sanitized by the server before it is stored.
    return (
      <Typography className={classes.body}>
        <div dangerouslySetInnerHTML={{ __html: item.body_html }} />
      </Typography>
    );
  }
  return (
    <Text size="sm" className={classes.plain}>
      {item.body_text}
    </Text>
  );
}

function authorColor(kind: Interaction["author"]["kind"]): string {
  return kind === "agent" ? "blue" : kind === "customer" ? "teal" : "gray";
}

export function TimelineEntry({ item }: { item: Interaction }) {
  const internal = !item.public;
  return (
    <Paper
      component="article"
      withBorder
      p="sm"
      radius="md"
      className={internal ? classes.internal : item.direction === "inbound" ? classes.inbound : classes.outbound}
      data-testid="timeline-entry"
      data-internal={internal ? "true" : "false"}
      aria-label={`${internal ? "Internal note" : item.direction === "inbound" ? "Message" : "Reply"} from ${item.author.name}`}
    >
      <Group justify="space-between" mb={6} wrap="nowrap" align="flex-start">
        <Group gap="xs" wrap="nowrap">
          <Avatar size="sm" radius="xl" color={authorColor(item.author.kind)} name={item.author.name} />
          <div>
            <Text size="sm" fw={600} lh={1.2}>
              {item.author.name}
            </Text>
            <Text size="xs" c="dimmed" lh={1.2}>
              {item.author.kind === "customer" ? "Customer" : item.author.kind === "agent" ? "Agent" : "System"}
              {" · "}
              {item.direction === "inbound" ? "received" : "sent"}
            </Text>
          </div>
        </Group>
        <Group gap={6} wrap="nowrap">
          {internal && (
            <Badge color="yellow" variant="filled" c="dark" leftSection={<IconLock size={12} aria-hidden />}>
              Internal note
            </Badge>
          )}
          <ChannelBadge channel={item.channel} />
          <Text size="xs" c="dimmed" title={absTime(item.created_at)}>
            <time dateTime={item.created_at}>{relTime(item.created_at)}</time>
          </Text>
        </Group>
      </Group>
      <MessageBody item={item} />
    </Paper>
  );
}

export function Timeline({ items }: { items: Interaction[] }) {
  const sorted = [...items].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  if (sorted.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        No messages yet.
      </Text>
    );
  }
  return (
    <Stack gap="sm" component="section" aria-label="Conversation">
      {sorted.map((i) => (
        <TimelineEntry key={i.id} item={i} />
      ))}
    </Stack>
  );
}
