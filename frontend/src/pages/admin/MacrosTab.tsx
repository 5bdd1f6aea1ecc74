import { Button, Group, Stack, TextInput, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { useCreateMacro, useDeleteMacro } from "../../api/admin";
import { useMacros } from "../../api/tickets";
import type { Macro } from "../../api/types";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";

/** Shared macros: actions (the rules' action JSON) and a reply template, for every agent. */
export function MacrosTab() {
  const macros = useMacros();
  const create = useCreateMacro();
  const remove = useDeleteMacro();
  const [name, setName] = useState("");
  const [actions, setActions] = useState("[]");
  const [reply, setReply] = useState("");
  const shared = (macros.data ?? []).filter((m) => m.shared);

  const columns: Column<Macro>[] = [
    { key: "name", header: "Name", render: (m) => m.name },
    { key: "actions", header: "Actions", render: (m) => m.actions.map((a) => String(a.type)).join(", ") || "—" },
    { key: "reply", header: "Reply", render: (m) => (m.reply ? m.reply.slice(0, 80) : "—") },
    {
      key: "delete",
      render: (m) => (
        <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(m.id)}>
          Delete
        </Button>
      ),
    },
  ];

  const submit = () => {
    let parsed: Record<string, unknown>[];
    try {
      parsed = JSON.parse(actions) as Record<string, unknown>[];
    } catch {
      notifications.show({ color: "red", message: "Actions must be a JSON list" });
      return;
    }
    create.mutate(
      { name, actions: parsed, reply: reply || null, shared: true },
      {
        onSuccess: () => {
          setName("");
          setActions("[]");
          setReply("");
          notifications.show({ color: "green", message: "Macro created" });
        },
        onError: (err) => notifications.show({ color: "red", message: err.message }),
      },
    );
  };

  return (
    <Stack>
      <Group align="flex-start" wrap="wrap">
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <Textarea label="Actions (JSON)" w={320} autosize minRows={2} value={actions} onChange={(e) => setActions(e.currentTarget.value)} />
        <Textarea label="Reply template" w={320} autosize minRows={2} value={reply} onChange={(e) => setReply(e.currentTarget.value)} />
        <Button mt={24} loading={create.isPending} disabled={!name.trim()} onClick={submit}>
          Add shared macro
        </Button>
      </Group>
      {macros.isError ? (
        <QueryError error={macros.error} onRetry={() => void macros.refetch()} />
      ) : (
        <DataTable striped minWidth={800} columns={columns} rows={shared} rowKey={(m) => m.id} empty="No shared macros." />
      )}
    </Stack>
  );
}
