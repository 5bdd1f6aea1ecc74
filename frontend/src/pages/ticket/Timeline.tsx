import { Anchor, Avatar, Badge, Group, Paper, Stack, Text, Typography } from "@mantine/core";
import { IconLock, IconPaperclip, IconPhoneCall } from "@tabler/icons-react";
import { useState } from "react";
import type { Interaction } from "../../api/types";
import { ChannelBadge } from "../../components/Badges";
import { absTime, relTime } from "../../lib/format";
import classes from "./Ticket.module.css";

type Attachment = Interaction["attachments"][number];

function byteSize(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

/** An email's files: always downloads (the server sends them as attachments). */
export function Attachments({ items }: { items: Attachment[] }) {
  if (items.length === 0) return null;
  return (
    <Group gap="xs" mt="xs" mb={0} component="ul" aria-label="Attachments" style={{ listStyle: "none", padding: 0 }}>
      {items.map((a) => (
        <li key={a.id}>
          {a.stored ? (
            <Anchor href={a.url} download={a.filename} size="sm" data-testid="attachment">
              <Group gap={4} wrap="nowrap">
                <IconPaperclip size={14} aria-hidden />
                {a.filename} <Text span size="xs" c="dimmed">({byteSize(a.size)})</Text>
              </Group>
            </Anchor>
          ) : (
            <Text size="sm" c="dimmed" data-testid="attachment">
              {a.filename} (over the size limit, not stored)
            </Text>
          )}
        </li>
      ))}
    </Group>
  );
}

/** Plain text with its quoted history or signature folded away until asked for. */
function FoldedText({ text, foldAt }: { text: string; foldAt: number }) {
  const [open, setOpen] = useState(false);
  return (
    <Text size="sm" className={classes.plain} component="div">
      {open ? text : text.slice(0, foldAt).trimEnd()}
      <div>
        <Anchor component="button" type="button" size="xs" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? "Hide quoted text" : "Show quoted text"}
        </Anchor>
      </div>
    </Text>
  );
}

export function MessageBody({
  item,
}: {
  item: Pick<Interaction, "body_html" | "body_text"> & { fold_at?: number | null };
}) {
  if (!item.body_html && item.fold_at) {
    return <FoldedText text={item.body_text} foldAt={item.fold_at} />;
  }
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

type Call = NonNullable<Interaction["call"]>;

function duration(seconds: number | null | undefined): string {
  if (!seconds) return "";
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m ? `${m} min ${s} s` : `${s} s`;
}

/** A phone call's details: direction, outcome, duration, numbers, recording. */
export function CallDetails({ call }: { call: Call }) {
  const facts = [
    call.direction === "inbound" ? "Inbound call" : "Outbound call",
    call.outcome ? call.outcome.replace(/_/g, " ") : "in progress",
    duration(call.duration_seconds),
    call.from_number ? `from ${call.from_number}` : "",
  ].filter(Boolean);
  return (
    <Group gap={6} mb={4} data-testid="call-details">
      <IconPhoneCall size={14} aria-hidden />
      <Text size="xs" fw={600}>
        {facts.join(" · ")}
      </Text>
      {call.recording_url && (
        <Anchor href={call.recording_url} size="xs" target="_blank" rel="noreferrer">
          Recording
        </Anchor>
      )}
    </Group>
  );
}

export function TimelineEntry({ item }: { item: Interaction }) {
  const isCall = item.kind === "call";
  const internal = !item.public && !isCall;
  return (
    <Paper
      component="article"
      withBorder
      p="sm"
      radius="md"
      className={internal ? classes.internal : item.direction === "inbound" ? classes.inbound : classes.outbound}
      data-testid="timeline-entry"
      data-internal={internal ? "true" : "false"}
      aria-label={`${isCall ? "Call" : internal ? "Internal note" : item.direction === "inbound" ? "Message" : "Reply"} from ${item.author.name}`}
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
      {item.call && <CallDetails call={item.call} />}
      <MessageBody item={item} />
      <Attachments items={item.attachments ?? []} />
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
