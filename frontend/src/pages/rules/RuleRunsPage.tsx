import { Anchor, Breadcrumbs, Button, Center, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { useRule, useRuleRuns, type RuleRun } from "../../api/automation";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";
import { absTime } from "../../lib/format";

const columns: Column<RuleRun>[] = [
  { key: "at", header: "When", render: (r) => absTime(r.at) },
  {
    key: "ticket",
    header: "Ticket",
    render: (r) =>
      r.ticket_id === null ? (
        "—"
      ) : (
        <Anchor component={Link} to={`/tickets/${r.ticket_id}`}>
          #{r.ticket_id}
        </Anchor>
      ),
  },
  { key: "event", header: "Event", render: (r) => r.event || "time rule" },
  { key: "actions", header: "Actions", render: (r) => (r.actions.length ? r.actions.join("; ") : "—") },
  {
    key: "error",
    header: "Error",
    render: (r) =>
      r.error ? (
        <Text size="sm" c="red">
          {r.error}
        </Text>
      ) : (
        ""
      ),
  },
];

/** /rules/:id/runs: what a rule did, newest first. */
export function RuleRunsPage() {
  const id = Number(useParams().id);
  const [limit, setLimit] = useState(100);
  const rule = useRule(id);
  const runs = useRuleRuns(id, limit);
  const name = rule.data?.name ?? `Rule ${id}`;
  return (
    <Stack p="md" maw={1200} mx="auto">
      <Breadcrumbs>
        <Anchor component={Link} to="/rules">
          Rules
        </Anchor>
        <Anchor component={Link} to={`/rules/${id}`}>
          {name}
        </Anchor>
      </Breadcrumbs>
      <Title order={1} size="h3">
        Run log: {name}
      </Title>
      {runs.isError ? (
        <QueryError error={runs.error} onRetry={() => void runs.refetch()} />
      ) : !runs.data ? (
        <Center py={60}>
          <Loader aria-label="Loading run log" />
        </Center>
      ) : (
        <>
          <DataTable
            striped
            minWidth={800}
            aria-label="Run log"
            columns={columns}
            rows={runs.data}
            rowKey={(r) => r.id}
            rowTestId="run-row"
            rowStyle={(r) => (r.error ? { background: "var(--mantine-color-red-light)" } : {})}
            empty="This rule has not fired yet."
          />
          {runs.data.length >= limit && (
            <Group justify="center">
              <Button variant="default" loading={runs.isFetching} onClick={() => setLimit(limit + 100)}>
                Show more
              </Button>
            </Group>
          )}
        </>
      )}
    </Stack>
  );
}
