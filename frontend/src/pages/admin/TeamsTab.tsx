import { Alert, Button, Group, List, Modal, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { useCreateTeam, usePatchTeam } from "../../api/admin";
import { useTeams } from "../../api/tickets";
import type { Schedule, Team } from "../../api/types";
import { QueryError } from "../../components/QueryError";
import { DAYS, defaultSchedule, parseSchedule, validateSchedule } from "./schedule";
import { ScheduleEditor } from "./ScheduleEditor";

function summary(s: Schedule | null): string {
  if (!s) return "Default business hours";
  const open = DAYS.filter((d) => (s.hours[d] ?? []).length > 0);
  return `${s.timezone} · ${open.length} day${open.length === 1 ? "" : "s"} a week · ${s.holidays.length} holiday${s.holidays.length === 1 ? "" : "s"}`;
}

function TeamForm({ team, onDone }: { team: Team | null; onDone: () => void }) {
  const create = useCreateTeam();
  const patch = usePatchTeam();
  const [name, setName] = useState(team?.name ?? "");
  const [schedule, setSchedule] = useState<Schedule>(() => parseSchedule(team?.schedule) ?? defaultSchedule());
  const problems = validateSchedule(schedule);
  const pending = create.isPending || patch.isPending;

  const save = () => {
    const body = { name: name.trim(), schedule: { ...schedule } as Record<string, unknown> };
    const done = () => {
      notifications.show({ color: "green", message: `Team ${body.name} saved` });
      onDone();
    };
    if (team) patch.mutate({ id: team.id, body }, { onSuccess: done });
    else create.mutate(body, { onSuccess: done });
  };

  return (
    <Stack>
      <TextInput label="Team name" required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
      <ScheduleEditor value={schedule} onChange={setSchedule} />
      {problems.length > 0 && (
        <Alert color="orange" title="Check the schedule">
          <List size="sm">
            {problems.map((p) => (
              <List.Item key={p}>{p}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button onClick={save} loading={pending} disabled={!name.trim() || problems.length > 0}>
          Save team
        </Button>
      </Group>
    </Stack>
  );
}

export function TeamsTab() {
  const teams = useTeams();
  const [editing, setEditing] = useState<Team | "new" | null>(null);
  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed" size="sm">
          Teams group agents; their business hours drive SLA clocks.
        </Text>
        <Button onClick={() => setEditing("new")}>New team</Button>
      </Group>
      {teams.isError && <QueryError error={teams.error} onRetry={() => void teams.refetch()} />}
      {(teams.data ?? []).map((t) => (
        <Paper key={t.id} withBorder p="sm" radius="md" data-testid="team-row">
          <Group justify="space-between">
            <div>
              <Title order={3} size="h5">
                {t.name}
              </Title>
              <Text size="sm" c="dimmed">
                {summary(parseSchedule(t.schedule))}
              </Text>
            </div>
            <Button variant="default" size="xs" onClick={() => setEditing(t)}>
              Edit hours
            </Button>
          </Group>
        </Paper>
      ))}
      {teams.data?.length === 0 && <Text c="dimmed">No teams yet.</Text>}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === "new" ? "New team" : `Edit ${editing?.name ?? "team"}`}
        size="xl"
      >
        {editing !== null && <TeamForm team={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
    </Stack>
  );
}
