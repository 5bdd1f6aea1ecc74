import { Paper, Text, Timeline, Title } from "@mantine/core";
import { useAgents, useTeams } from "../../api/tickets";
import type { TicketEvent } from "../../api/types";
import { absTime, relTime } from "../../lib/format";

/** Names for the ids the trail records: the assignee is an agent id, the team a team id. */
type Names = { agents: Map<string, string>; teams: Map<string, string> };

function shown(field: string, value: string, names: Names): string {
  const lookup = field === "assignee" ? names.agents : field === "team" ? names.teams : null;
  return lookup?.get(value) ?? value;
}

function describe(e: TicketEvent, names: Names): string {
  const field = e.field.replace(/_/g, " ");
  const oldValue = e.old_value === null ? null : shown(e.field, e.old_value, names);
  const newValue = e.new_value === null ? null : shown(e.field, e.new_value, names);
  if (oldValue === null && newValue !== null) return `set ${field} to ${newValue}`;
  if (newValue === null && oldValue !== null) return `cleared ${field} (was ${oldValue})`;
  if (oldValue === null && newValue === null) return field;
  return `changed ${field} from ${oldValue} to ${newValue}`;
}

function actor(e: TicketEvent): string {
  if (e.actor_name) return e.actor_name;
  return e.actor_kind === "rule" ? "Automation rule" : e.actor_kind === "system" ? "System" : e.actor_kind;
}

export function AuditTrail({ events }: { events: TicketEvent[] }) {
  const agents = useAgents();
  const teams = useTeams();
  const names: Names = {
    agents: new Map((agents.data ?? []).map((a) => [String(a.id), a.name || a.email])),
    teams: new Map((teams.data ?? []).map((t) => [String(t.id), t.name])),
  };
  const sorted = [...events].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="audit-title">
      <Title order={2} size="h5" id="audit-title" mb="sm">
        Audit trail
      </Title>
      {sorted.length === 0 ? (
        <Text size="sm" c="dimmed">
          No changes recorded.
        </Text>
      ) : (
        <Timeline bulletSize={10} lineWidth={2}>
          {sorted.map((e) => (
            <Timeline.Item key={e.id}>
              <Text size="sm">
                <strong>{actor(e)}</strong> {describe(e, names)}
              </Text>
              <Text size="xs" c="dimmed" title={absTime(e.created_at)}>
                {relTime(e.created_at)}
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
      )}
    </Paper>
  );
}
