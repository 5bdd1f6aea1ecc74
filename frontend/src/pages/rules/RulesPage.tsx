import { ActionIcon, Anchor, Badge, Button, Center, Group, Loader, Stack, Switch, Text, Title, Tooltip } from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconGripVertical, IconPlus } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { useOutboxBacklog } from "../../api/admin";
import { rulesKey, useMoveRules, usePatchRule, useRules, type Rule } from "../../api/automation";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";
import { dueText, isLate } from "../../lib/backlog";
import { absTime, relTime } from "../../lib/format";
import { reorder, runOrder } from "./rule";

function triggerText(rule: Rule): string {
  return "events" in rule.trigger ? rule.trigger.events.join(", ") || "no event" : "every minute";
}

/** Whether the worker's rules keep up with the desk's events (refreshed every 10 s). */
function RulesBacklog() {
  const backlog = useOutboxBacklog();
  const events = backlog.data?.kinds.find((k) => k.kind === "event");
  if (!backlog.data || !events) return null;
  const late = isLate(events, backlog.data.checked_at);
  return (
    <Text size="sm" c={late ? "orange.8" : "dimmed"} data-testid="rules-backlog">
      {events.due === 0
        ? "Rules are up to date: no event waits for them."
        : `Rules: ${dueText(events, backlog.data.checked_at)}${late ? " (is the worker running?)" : ""}.`}
    </Text>
  );
}

/** The rules in the order they run; drag a row (or use its arrows) to change its position. */
export function RulesPage() {
  const qc = useQueryClient();
  const rules = useRules();
  const patch = usePatchRule();
  const move = useMoveRules();
  const [dragged, setDragged] = useState<number | null>(null);
  const [over, setOver] = useState<number | null>(null);
  const ordered = rules.data ? runOrder(rules.data) : undefined;

  const moveRule = (from: number, to: number) => {
    if (!ordered || to < 0 || to >= ordered.length) return;
    const moves = reorder(ordered, from, to);
    if (moves.length === 0) return;
    const position = new Map(moves.map((m) => [m.id, m.position]));
    // Show the new order at once; the refetch after the PATCHes confirms (or undoes) it.
    qc.setQueryData<Rule[]>(rulesKey, (old) => old?.map((r) => ({ ...r, position: position.get(r.id) ?? r.position })));
    move.mutate(moves);
  };

  const columns: Column<Rule>[] = [
    {
      key: "move",
      render: (r) => {
        const i = ordered!.indexOf(r);
        return (
          <Group gap={0} wrap="nowrap">
            <IconGripVertical size={16} aria-hidden style={{ cursor: "grab" }} />
            <ActionIcon
              size="sm"
              variant="subtle"
              color="gray"
              aria-label={`Move ${r.name} up`}
              disabled={i === 0}
              onClick={() => moveRule(i, i - 1)}
            >
              <IconArrowUp size={14} />
            </ActionIcon>
            <ActionIcon
              size="sm"
              variant="subtle"
              color="gray"
              aria-label={`Move ${r.name} down`}
              disabled={i === ordered!.length - 1}
              onClick={() => moveRule(i, i + 1)}
            >
              <IconArrowDown size={14} />
            </ActionIcon>
          </Group>
        );
      },
    },
    { key: "position", header: "Position", render: (r) => r.position, align: "right" },
    {
      key: "name",
      header: "Name",
      render: (r) => (
        <Anchor component={Link} to={`/rules/${r.id}`}>
          {r.name}
        </Anchor>
      ),
    },
    { key: "trigger", header: "Trigger", render: (r) => <Text size="sm">{triggerText(r)}</Text> },
    {
      key: "active",
      header: "On",
      render: (r) => (
        <Switch
          aria-label={`${r.name} active`}
          checked={r.active}
          disabled={patch.isPending && patch.variables?.id === r.id}
          onChange={(e) => patch.mutate({ id: r.id, body: { active: e.currentTarget.checked } })}
        />
      ),
    },
    {
      key: "last",
      header: "Last fired",
      render: (r) => (
        <Text size="sm" title={r.last_fired_at ? absTime(r.last_fired_at) : undefined}>
          {r.last_fired_at ? relTime(r.last_fired_at) : "never"}
        </Text>
      ),
    },
    { key: "fired", header: "Fired", render: (r) => r.fired_count, align: "right" },
    {
      key: "errors",
      header: "Errors",
      align: "right",
      render: (r) =>
        r.error_count > 0 ? (
          <Tooltip label="See the run log">
            <Badge color="red" component={Link} to={`/rules/${r.id}/runs`} style={{ cursor: "pointer" }}>
              {r.error_count}
            </Badge>
          </Tooltip>
        ) : (
          0
        ),
    },
    {
      key: "runs",
      render: (r) => (
        <Anchor component={Link} to={`/rules/${r.id}/runs`} size="sm" aria-label={`Run log of ${r.name}`}>
          Run log
        </Anchor>
      ),
    },
  ];

  return (
    <Stack p="md" maw={1200} mx="auto">
      <Group justify="space-between">
        <Title order={1} size="h3">
          Rules
        </Title>
        <Button component={Link} to="/rules/new" leftSection={<IconPlus size={16} />}>
          New rule
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        Rules run from the top down; a later rule sees the changes of the earlier ones. Drag a row to move it.
      </Text>
      <RulesBacklog />
      {rules.isError ? (
        <QueryError error={rules.error} onRetry={() => void rules.refetch()} />
      ) : !ordered ? (
        <Center py={60}>
          <Loader aria-label="Loading rules" />
        </Center>
      ) : (
        <DataTable
          highlightOnHover
          minWidth={900}
          aria-label="Rules"
          columns={columns}
          rows={ordered}
          rowKey={(r) => r.id}
          rowTestId="rule-row"
          empty="No rules yet."
          rowStyle={(r) => ({
            opacity: dragged !== null && ordered[dragged] === r ? 0.5 : undefined,
            boxShadow:
              over !== null && dragged !== null && ordered[over] === r && over !== dragged
                ? `inset 0 ${over > dragged ? -2 : 2}px 0 var(--mantine-color-blue-filled)`
                : undefined,
          })}
          rowProps={(_, i) => ({
            draggable: true,
            onDragStart: (e) => {
              setDragged(i);
              e.dataTransfer?.setData("text/plain", String(i));
              if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
            },
            onDragOver: (e) => {
              e.preventDefault();
              setOver(i);
            },
            onDrop: (e) => {
              e.preventDefault();
              if (dragged !== null) moveRule(dragged, i);
              setDragged(null);
              setOver(null);
            },
            onDragEnd: () => {
              setDragged(null);
              setOver(null);
            },
          })}
        />
      )}
    </Stack>
  );
}
