import { Badge, Button, Group, Modal, PasswordInput, Select, Stack, Switch, Text, TextInput } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useState, type FormEvent } from "react";
import { useCreateAgent, usePatchAgent } from "../../api/admin";
import { ApiError } from "../../api/client";
import { useAgents, useTeams } from "../../api/tickets";
import type { Agent, Role } from "../../api/types";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";

const ROLES: { value: Role; label: string }[] = [
  { value: "agent", label: "Agent" },
  { value: "lead", label: "Lead" },
  { value: "admin", label: "Admin" },
];

function CreateAgentForm({ onDone }: { onDone: () => void }) {
  const create = useCreateAgent();
  const teams = useTeams();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("agent");
  const [team, setTeam] = useState<string | null>(null);
  const [password, setPassword] = useState("");
  const errors = create.error instanceof ApiError ? create.error.fieldErrors : {};

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { email: email.trim(), name: name.trim(), role, team: team || null, password: password || null },
      {
        onSuccess: (a) => {
          notifications.show({ color: "green", message: `Agent ${a.name} created` });
          onDone();
        },
      },
    );
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
        <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={errors.email} />
        <Select label="Role" data={ROLES} value={role} onChange={(v) => v && setRole(v as Role)} allowDeselect={false} error={errors.role} />
        <Select
          label="Team"
          placeholder="No team"
          clearable
          data={(teams.data ?? []).map((t) => t.name)}
          value={team}
          onChange={setTeam}
          error={errors.team}
        />
        <PasswordInput
          label="Initial password"
          description="Optional; leave empty if the agent signs in another way"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={errors.password}
          autoComplete="new-password"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} disabled={!email || !name}>
            Create agent
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function AgentsTab() {
  const agents = useAgents();
  const teams = useTeams();
  const patch = usePatchAgent();
  const [opened, modal] = useDisclosure(false);
  const teamOptions = (current: number | null) => {
    const opts = (teams.data ?? []).map((t) => ({ value: String(t.id), label: t.name }));
    if (current !== null && !opts.some((o) => o.value === String(current))) {
      opts.push({ value: String(current), label: `Team #${current}` });
    }
    return opts;
  };

  const toggleActive = (a: Agent) =>
    patch.mutate(
      { id: a.id, body: { active: !a.active } },
      { onSuccess: (r) => notifications.show({ message: `${r.name} ${r.active ? "reactivated" : "deactivated"}` }) },
    );

  const columns: Column<Agent>[] = [
    { key: "name", header: "Name", render: (a) => a.name },
    { key: "email", header: "Email", render: (a) => a.email },
    {
      key: "role",
      header: "Role",
      render: (a) => (
        <Select
          size="xs"
          w={110}
          aria-label={`Role of ${a.name}`}
          data={ROLES}
          value={a.role}
          allowDeselect={false}
          onChange={(v) => v && v !== a.role && patch.mutate({ id: a.id, body: { role: v as Role } })}
        />
      ),
    },
    {
      key: "team",
      header: "Team",
      render: (a) => (
        <Select
          size="xs"
          w={150}
          aria-label={`Team of ${a.name}`}
          placeholder="No team"
          clearable
          data={teamOptions(a.team_id)}
          value={a.team_id !== null ? String(a.team_id) : null}
          onChange={(v) => patch.mutate({ id: a.id, body: { team_id: v ? Number(v) : null } })}
        />
      ),
    },
    {
      key: "active",
      header: "Active",
      render: (a) => (
        <Group gap="xs" wrap="nowrap">
          <Switch
            checked={a.active}
            onChange={() => toggleActive(a)}
            aria-label={`${a.active ? "Deactivate" : "Activate"} ${a.name}`}
          />
          {!a.active && (
            <Badge color="gray" size="sm">
              Deactivated
            </Badge>
          )}
        </Group>
      ),
    },
  ];

  return (
    <Stack>
      <Group justify="space-between">
        <Text c="dimmed" size="sm">
          People who can sign in and work tickets.
        </Text>
        <Button onClick={modal.open}>New agent</Button>
      </Group>
      {agents.isError ? (
        <QueryError error={agents.error} onRetry={() => void agents.refetch()} />
      ) : (
        <DataTable
          striped
          highlightOnHover
          minWidth={640}
          columns={columns}
          rows={agents.data}
          rowKey={(a) => a.id}
          rowTestId="agent-row"
          rowStyle={(a) => ({ opacity: a.active ? 1 : 0.6 })}
        />
      )}
      <Modal opened={opened} onClose={modal.close} title="New agent">
        {opened && <CreateAgentForm onDone={modal.close} />}
      </Modal>
    </Stack>
  );
}
