import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Select, Stack, Text, TextInput } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { useCreateToken, useRevokeToken, useTokens } from "../../api/admin";
import { useCurrentAgent } from "../../api/auth";
import { useAgents } from "../../api/tickets";
import type { ApiToken } from "../../api/types";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";
import { absTime, relTime } from "../../lib/format";

export function TokensTab() {
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const me = useCurrentAgent();
  const agents = useAgents();
  const [name, setName] = useState("");
  const [agentId, setAgentId] = useState<string | null>(me ? String(me.id) : null);
  const [created, setCreated] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!agentId) return;
    create.mutate({ name: name.trim(), agent_id: Number(agentId) }, {
      onSuccess: (t) => {
        setCreated(t.token);
        setName("");
      },
    });
  };

  const columns: Column<ApiToken>[] = [
    { key: "name", header: "Name", render: (t) => t.name || "—" },
    { key: "agent", header: "Agent", render: (t) => t.agent_email ?? `#${t.agent_id}` },
    { key: "created", header: "Created", render: (t) => absTime(t.created_at) },
    { key: "last-used", header: "Last used", render: (t) => (t.last_used_at ? relTime(t.last_used_at) : "Never") },
    {
      key: "revoke",
      align: "right",
      render: (t) =>
        t.revoked ? (
          <Badge color="gray">Revoked</Badge>
        ) : (
          <Button size="xs" color="red" variant="light" onClick={() => setRevoking(t)}>
            Revoke
          </Button>
        ),
    },
  ];

  return (
    <Stack>
      <form onSubmit={submit}>
        <Group align="flex-end">
          <TextInput
            label="New API token"
            placeholder="Name, e.g. CRM integration"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            w={280}
          />
          <Select
            label="Acts as agent"
            data={(agents.data ?? []).filter((a) => a.active).map((a) => ({ value: String(a.id), label: `${a.name} <${a.email}>` }))}
            value={agentId}
            onChange={setAgentId}
            searchable
            allowDeselect={false}
            w={280}
          />
          <Button type="submit" disabled={!name.trim() || !agentId} loading={create.isPending}>
            Create token
          </Button>
        </Group>
      </form>
      {created && (
        <Alert color="green" title="Token created — copy it now" withCloseButton onClose={() => setCreated(null)}>
          <Text size="sm" mb="xs">
            This is the only time the token is shown. Store it somewhere safe.
          </Text>
          <Group gap="xs" wrap="nowrap">
            <Code block style={{ flex: 1, overflowWrap: "anywhere" }} data-testid="new-token">
              {created}
            </Code>
            <CopyButton value={created}>
              {({ copied, copy }) => (
                <Button size="xs" onClick={copy} color={copied ? "teal" : "blue"}>
                  {copied ? "Copied" : "Copy"}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Alert>
      )}
      {tokens.isError ? (
        <QueryError error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : (
        <DataTable striped columns={columns} rows={tokens.data} rowKey={(t) => t.id} empty="No API tokens." />
      )}
      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title="Revoke API token">
        <Text size="sm">
          Revoke <strong>{revoking?.name}</strong>? Integrations using it stop working immediately.
        </Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setRevoking(null)}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={revoke.isPending}
            onClick={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
          >
            Revoke
          </Button>
        </Group>
      </Modal>
    </Stack>
  );
}
