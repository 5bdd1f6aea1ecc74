import { Badge, Button, Group, SegmentedControl, Stack, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { useOutbox, useOutboxBacklog, useResend } from "../../api/admin";
import type { OutboxItem, OutboxKind, OutboxStatus } from "../../api/types";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";
import { backlogText, isLate } from "../../lib/backlog";
import { absTime } from "../../lib/format";

const COLOR: Record<string, string> = {
  pending: "blue",
  sent: "green",
  failed: "red",
  bounced: "red",
  unknown: "orange",
  cancelled: "gray",
};

/** The status badge, with the last error (if any) in a tooltip and clamped below it. */
function StatusCell({ message: m }: { message: OutboxItem }) {
  return (
    <>
      {m.last_error ? (
        <Tooltip label={m.last_error} multiline w={320}>
          <Badge color={COLOR[m.status] ?? "gray"} tabIndex={0}>
            {m.status}
          </Badge>
        </Tooltip>
      ) : (
        <Badge color={COLOR[m.status] ?? "gray"}>{m.status}</Badge>
      )}
      {m.last_error && (
        <Text size="xs" c="red" lineClamp={2}>
          {m.last_error}
        </Text>
      )}
    </>
  );
}

/** One line per kind: what should have gone by now, what is scheduled, failed, unknown. */
function Backlog() {
  const backlog = useOutboxBacklog();
  if (!backlog.data) return null;
  const checkedAt = backlog.data.checked_at;
  return (
    <Stack gap={2} aria-label="Outbox backlog" data-testid="outbox-backlog">
      {backlog.data.kinds.map((k) => (
        <Text key={k.kind} size="sm" c={isLate(k, checkedAt) ? "orange.8" : undefined}>
          <Text span fw={600}>
            {k.kind}
          </Text>
          : {backlogText(k, checkedAt)}
        </Text>
      ))}
    </Stack>
  );
}

export function OutboxTab() {
  const [status, setStatus] = useState<OutboxStatus | "all">("all");
  const [kind, setKind] = useState<OutboxKind | "all">("all");
  const outbox = useOutbox(status === "all" ? null : status, kind === "all" ? null : kind);
  const resend = useResend();
  const columns: Column<OutboxItem>[] = [
    { key: "created", header: "Created", render: (m) => absTime(m.created_at) },
    { key: "kind", header: "Kind", render: (m) => m.kind },
    { key: "to", header: "To", render: (m) => m.to },
    { key: "subject", header: "Subject", render: (m) => m.subject ?? "—" },
    { key: "status", header: "Status", render: (m) => <StatusCell message={m} /> },
    { key: "attempts", header: "Attempts", render: (m) => m.attempts },
    { key: "sent", header: "Sent", render: (m) => absTime(m.sent_at) },
    {
      key: "resend",
      render: (m) =>
        m.status !== "pending" && (
          <Button
            size="xs"
            variant="light"
            loading={resend.isPending && resend.variables === m.id}
            onClick={() =>
              resend.mutate(m.id, {
                onSuccess: () => notifications.show({ color: "green", message: "Queued for re-send" }),
              })
            }
          >
            Re-send
          </Button>
        ),
    },
  ];

  return (
    <Stack>
      <Backlog />
      <Group justify="space-between">
        <Group>
        <SegmentedControl
          aria-label="Outbox kind"
          value={kind}
          onChange={(v) => setKind(v as OutboxKind | "all")}
          data={[
            { value: "all", label: "All kinds" },
            { value: "email", label: "Emails" },
            { value: "webhook", label: "Webhooks" },
            { value: "channel", label: "Chat & social" },
          ]}
        />
        <SegmentedControl
          aria-label="Outbox status"
          value={status}
          onChange={(v) => setStatus(v as OutboxStatus | "all")}
          data={[
            { value: "all", label: "All" },
            { value: "failed", label: "Failed" },
            { value: "pending", label: "Pending" },
            { value: "sent", label: "Sent" },
            { value: "unknown", label: "Unknown" },
            { value: "bounced", label: "Bounced" },
          ]}
        />
        </Group>
        <Text size="xs" c="dimmed">
          Refreshes every 10 s
        </Text>
      </Group>
      {outbox.isError ? (
        <QueryError error={outbox.error} onRetry={() => void outbox.refetch()} />
      ) : (
        <DataTable
          striped
          minWidth={800}
          columns={columns}
          rows={outbox.data?.items}
          rowKey={(m) => m.id}
          rowTestId="outbox-row"
          empty="Nothing here."
        />
      )}
    </Stack>
  );
}
