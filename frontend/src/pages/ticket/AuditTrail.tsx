import { Paper, Text, Timeline, Title } from "@mantine/core";
import type { TicketEvent } from "../../api/types";
import { absTime, relTime } from "../../lib/format";

function describe(e: TicketEvent): string {
  const field = e.field.replace(/_/g, " ");
  if (e.old_value === null && e.new_value !== null) return `set ${field} to ${e.new_value}`;
  if (e.new_value === null && e.old_value !== null) return `cleared ${field} (was ${e.old_value})`;
  if (e.old_value === null && e.new_value === null) return field;
  return `changed ${field} from ${e.old_value} to ${e.new_value}`;
}

function actor(e: TicketEvent): string {
  if (e.actor_name) return e.actor_name;
  return e.actor_kind === "rule" ? "Automation rule" : e.actor_kind === "system" ? "System" : e.actor_kind;
}

export function AuditTrail({ events }: { events: TicketEvent[] }) {
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
                <strong>{actor(e)}</strong> {describe(e)}
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
