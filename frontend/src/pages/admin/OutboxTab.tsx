import { Badge, Button, Group, SegmentedControl, Stack, Table, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { useOutbox, useResend } from "../../api/admin";
import type { OutboxStatus } from "../../api/types";
import { QueryError } from "../../components/QueryError";
import { absTime } from "../../lib/format";

const COLOR: Record<string, string> = { pending: "blue", sent: "green", failed: "red" };

export function OutboxTab() {
  const [status, setStatus] = useState<OutboxStatus | "all">("all");
  const outbox = useOutbox(status === "all" ? null : status);
  const resend = useResend();

  return (
    <Stack>
      <Group justify="space-between">
        <SegmentedControl
          aria-label="Outbox status"
          value={status}
          onChange={(v) => setStatus(v as OutboxStatus | "all")}
          data={[
            { value: "all", label: "All" },
            { value: "failed", label: "Failed" },
            { value: "pending", label: "Pending" },
            { value: "sent", label: "Sent" },
          ]}
        />
        <Text size="xs" c="dimmed">
          Refreshes every 10 s
        </Text>
      </Group>
      {outbox.isError ? (
        <QueryError error={outbox.error} onRetry={() => void outbox.refetch()} />
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Created</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>To</Table.Th>
                <Table.Th>Subject</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Sent</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(outbox.data?.items ?? []).map((m) => (
                <Table.Tr key={m.id} data-testid="outbox-row">
                  <Table.Td>{absTime(m.created_at)}</Table.Td>
                  <Table.Td>{m.kind}</Table.Td>
                  <Table.Td>{m.to}</Table.Td>
                  <Table.Td>{m.subject ?? "—"}</Table.Td>
                  <Table.Td>
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
                  </Table.Td>
                  <Table.Td>{m.attempts}</Table.Td>
                  <Table.Td>{absTime(m.sent_at)}</Table.Td>
                  <Table.Td>
                    {m.status !== "pending" && (
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
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
              {outbox.data?.items.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={8}>
                    <Text c="dimmed" size="sm">
                      Nothing here.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
