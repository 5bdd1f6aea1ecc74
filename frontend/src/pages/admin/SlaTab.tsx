import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { errorMessage } from "../../api/client";
import { useDeleteSlaPolicy, useSaveSlaPolicy, useSlaPolicies, type SlaPolicy, type SlaPolicyIn } from "../../api/sla";
import { useTeams } from "../../api/tickets";
import type { Channel, Priority } from "../../api/types";
import { QueryError } from "../../components/QueryError";
import { CHANNEL_LABEL, CHANNELS, PRIORITIES, PRIORITY_LABEL, minutes } from "../../lib/format";
import { SLA_TARGET_LABEL, SLA_TARGETS, type SlaTarget } from "../../lib/sla";

type Grid = Record<Priority, Record<SlaTarget, number | null>>;

function grid(policy: SlaPolicy | null): Grid {
  const out = {} as Grid;
  for (const p of PRIORITIES) {
    const t = policy?.targets[p];
    out[p] = { first_response: t?.first_response ?? null, next_reply: t?.next_reply ?? null, resolution: t?.resolution ?? null };
  }
  return out;
}

function PolicyForm({ policy, onDone }: { policy: SlaPolicy | null; onDone: () => void }) {
  const save = useSaveSlaPolicy();
  const teams = useTeams();
  const [name, setName] = useState(policy?.name ?? "");
  const [channel, setChannel] = useState<string | null>(policy?.channel ?? null);
  const [team, setTeam] = useState<string | null>(policy?.team_id ? String(policy.team_id) : null);
  const [business, setBusiness] = useState(policy?.business_hours ?? false);
  const [active, setActive] = useState(policy?.active ?? true);
  const [targets, setTargets] = useState<Grid>(() => grid(policy));

  const submit = () => {
    const body: SlaPolicyIn = {
      name: name.trim(),
      channel: (channel as Channel | null) ?? null,
      team_id: team ? Number(team) : null,
      business_hours: business,
      active,
      targets: Object.fromEntries(
        PRIORITIES.filter((p) => SLA_TARGETS.some((t) => targets[p][t])).map((p) => [p, targets[p]]),
      ),
    };
    save.mutate(
      { id: policy?.id ?? null, body },
      {
        onSuccess: () => {
          notifications.show({ color: "green", message: `SLA policy ${body.name} saved` });
          onDone();
        },
      },
    );
  };

  return (
    <Stack>
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
      <Group grow>
        <Select
          label="Channel"
          placeholder="Any channel"
          clearable
          value={channel}
          onChange={setChannel}
          data={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABEL[c] }))}
        />
        <Select
          label="Team"
          placeholder="Any team"
          clearable
          value={team}
          onChange={setTeam}
          data={(teams.data ?? []).map((t) => ({ value: String(t.id), label: t.name }))}
        />
      </Group>
      <Switch
        label="Count business hours of the ticket's team (else calendar hours)"
        checked={business}
        onChange={(e) => setBusiness(e.currentTarget.checked)}
      />
      <Switch label="Active" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
      <Table aria-label="Targets in minutes">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Priority</Table.Th>
            {SLA_TARGETS.map((t) => (
              <Table.Th key={t}>{SLA_TARGET_LABEL[t]} (min)</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {PRIORITIES.map((p) => (
            <Table.Tr key={p}>
              <Table.Td>{PRIORITY_LABEL[p]}</Table.Td>
              {SLA_TARGETS.map((t) => (
                <Table.Td key={t}>
                  <NumberInput
                    aria-label={`${PRIORITY_LABEL[p]} ${SLA_TARGET_LABEL[t]} minutes`}
                    min={1}
                    allowDecimal={false}
                    placeholder="—"
                    value={targets[p][t] ?? ""}
                    onChange={(v) =>
                      setTargets((g) => ({ ...g, [p]: { ...g[p], [t]: typeof v === "number" ? v : null } }))
                    }
                  />
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {save.isError && (
        <Alert color="red" title="Not saved">
          {errorMessage(save.error)}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button onClick={submit} loading={save.isPending} disabled={!name.trim()}>
          Save policy
        </Button>
      </Group>
    </Stack>
  );
}

function targetsSummary(policy: SlaPolicy): string {
  return PRIORITIES.filter((p) => policy.targets[p])
    .map((p) => {
      const t = policy.targets[p]!;
      const parts = SLA_TARGETS.filter((k) => t[k]).map((k) => `${SLA_TARGET_LABEL[k].toLowerCase()} ${minutes(t[k])}`);
      return `${PRIORITY_LABEL[p]}: ${parts.join(", ")}`;
    })
    .join(" · ");
}

export function SlaTab() {
  const policies = useSlaPolicies();
  const teams = useTeams();
  const remove = useDeleteSlaPolicy();
  const [editing, setEditing] = useState<SlaPolicy | "new" | null>(null);
  const teamName = (id: number | null) => (id === null ? "any team" : (teams.data?.find((t) => t.id === id)?.name ?? `team ${id}`));
  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed" size="sm">
          First response, next reply and resolution targets per priority. The most specific active policy applies (team and
          channel, then team, then channel, then any); the clock pauses while a ticket is pending or on hold.
        </Text>
        <Button onClick={() => setEditing("new")}>New policy</Button>
      </Group>
      {policies.isError && <QueryError error={policies.error} onRetry={() => void policies.refetch()} />}
      {(policies.data ?? []).map((p) => (
        <Paper key={p.id} withBorder p="sm" radius="md" data-testid="sla-policy-row">
          <Group justify="space-between" wrap="nowrap">
            <div>
              <Group gap="xs">
                <Title order={3} size="h5">
                  {p.name}
                </Title>
                {!p.active && <Badge color="gray">inactive</Badge>}
                <Badge variant="light">{p.business_hours ? "business hours" : "calendar hours"}</Badge>
              </Group>
              <Text size="sm" c="dimmed">
                {p.channel ? CHANNEL_LABEL[p.channel] : "Any channel"} · {teamName(p.team_id)}
              </Text>
              <Text size="sm">{targetsSummary(p)}</Text>
            </div>
            <Group gap="xs" wrap="nowrap">
              <Button variant="default" size="xs" onClick={() => setEditing(p)}>
                Edit
              </Button>
              <Button
                variant="subtle"
                color="red"
                size="xs"
                loading={remove.isPending && remove.variables === p.id}
                onClick={() => remove.mutate(p.id)}
              >
                Delete
              </Button>
            </Group>
          </Group>
        </Paper>
      ))}
      {policies.data?.length === 0 && <Text c="dimmed">No SLA policies yet: tickets have no due times.</Text>}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === "new" ? "New SLA policy" : `Edit ${editing?.name ?? "policy"}`}
        size="xl"
      >
        {editing !== null && <PolicyForm policy={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
    </Stack>
  );
}
