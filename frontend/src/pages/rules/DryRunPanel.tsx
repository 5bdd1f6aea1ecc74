import { Alert, Anchor, Button, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { IconPlayerPlay } from "@tabler/icons-react";
import { Link } from "react-router";
import type { DryRunItem, DryRunResult } from "../../api/automation";
import { DataTable, type Column } from "../../components/DataTable";
import { absTime } from "../../lib/format";
import { dryRunSummary } from "./rule";

const columns: Column<DryRunItem>[] = [
  {
    key: "ticket",
    header: "Ticket",
    // A customer's event (a new customer, a lead from no ticket) has no ticket.
    render: (i) =>
      i.ticket_id !== null ? (
        <Anchor component={Link} to={`/tickets/${i.ticket_id}`}>
          #{i.ticket_id} {i.subject}
        </Anchor>
      ) : (
        <Anchor component={Link} to={`/customers/${i.customer_id}`}>
          Customer #{i.customer_id}
        </Anchor>
      ),
  },
  { key: "event", header: "Event", render: (i) => i.event },
  { key: "at", header: "When", render: (i) => absTime(i.at) },
  { key: "actions", header: "Actions", render: (i) => i.actions.join("; ") },
];

/** The dry run over the last 30 days: what the rule as written would have done. */
export function DryRunPanel({
  result,
  stale,
  running,
  onRun,
}: {
  result: DryRunResult | undefined;
  stale: boolean;
  running: boolean;
  onRun: () => void;
}) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="dry-run-title">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} size="h5" id="dry-run-title">
            Dry run
          </Title>
          <Button variant="light" leftSection={<IconPlayerPlay size={16} />} loading={running} onClick={onRun}>
            Preview last 30 days
          </Button>
        </Group>
        {!result ? (
          <Text size="sm" c="dimmed">
            Replays the last 30 days of the desk's history (tickets, customers, leads) through this rule, changing nothing.
          </Text>
        ) : (
          <>
            <Text fw={500} data-testid="dry-run-summary">
              {dryRunSummary(result)}
            </Text>
            {stale && (
              <Alert color="yellow" p="xs">
                The rule changed since this preview; run it again to see the effect.
              </Alert>
            )}
            {result.items.length > 0 && (
              <DataTable
                striped
                fz="sm"
                verticalSpacing={4}
                aria-label="Dry-run matches"
                columns={columns}
                rows={result.items}
                rowKey={(i, n) => `${i.ticket_id}-${i.event}-${i.at}-${n}`}
                rowTestId="dry-run-row"
              />
            )}
          </>
        )}
      </Stack>
    </Paper>
  );
}
