import { Paper, Select, Stack, TagsInput, Title } from "@mantine/core";
import { useAgents, usePatchTicket, useTeams } from "../../api/tickets";
import type { Priority, TicketDetail, TicketPatch, TicketStatus } from "../../api/types";
import { PRIORITIES, PRIORITY_LABEL, STATUSES, STATUS_LABEL } from "../../lib/format";

export function TicketProperties({ ticket }: { ticket: TicketDetail }) {
  const patch = usePatchTicket(ticket.id);
  const agents = useAgents();
  const teams = useTeams();
  const save = (body: TicketPatch) => patch.mutate(body, {});

  const agentOptions = (agents.data ?? [])
    .filter((a) => a.active || a.id === ticket.assignee?.id)
    .map((a) => ({ value: String(a.id), label: a.name }));
  if (ticket.assignee && !agentOptions.some((o) => o.value === String(ticket.assignee!.id))) {
    agentOptions.push({ value: String(ticket.assignee.id), label: ticket.assignee.name });
  }
  const teamOptions = (teams.data ?? []).map((t) => ({ value: String(t.id), label: t.name }));
  if (ticket.team_id !== null && !teamOptions.some((o) => o.value === String(ticket.team_id))) {
    teamOptions.push({ value: String(ticket.team_id), label: `Team #${ticket.team_id}` });
  }

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="props-title">
      <Title order={2} size="h5" id="props-title" mb="sm">
        Properties
      </Title>
      <Stack gap="sm">
        <Select
          label="Status"
          data={STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s] }))}
          value={ticket.status}
          onChange={(v) => v && v !== ticket.status && save({ status: v as TicketStatus })}
          allowDeselect={false}
          disabled={patch.isPending}
        />
        <Select
          label="Priority"
          data={PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABEL[p] }))}
          value={ticket.priority}
          onChange={(v) => v && v !== ticket.priority && save({ priority: v as Priority })}
          allowDeselect={false}
          disabled={patch.isPending}
        />
        <Select
          label="Assignee"
          placeholder="Unassigned"
          data={agentOptions}
          value={ticket.assignee ? String(ticket.assignee.id) : null}
          onChange={(v) => save({ assignee_id: v ? Number(v) : null })}
          clearable
          searchable
          nothingFoundMessage="No agents"
          disabled={patch.isPending}
        />
        <Select
          label="Team"
          placeholder="No team"
          data={teamOptions}
          value={ticket.team_id !== null ? String(ticket.team_id) : null}
          onChange={(v) => save({ team_id: v ? Number(v) : null })}
          clearable
          disabled={patch.isPending}
        />
        <TagsInput
          label="Tags"
          placeholder="Add tag and press Enter"
          value={ticket.tags}
          onChange={(tags) => save({ tags })}
          disabled={patch.isPending}
          clearable
        />
      </Stack>
    </Paper>
  );
}
