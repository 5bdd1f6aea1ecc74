import { Badge, Button, Code, Group, MultiSelect, Stack, Switch, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { useCreateWebhook, useDeleteWebhook, usePatchWebhook, useWebhooks } from "../../api/admin";
import type { Webhook } from "../../api/types";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";

const EVENTS = [
  "ticket.created",
  "ticket.updated",
  "message.received",
  "reply.sent",
  "ticket.solved",
  "ticket.reopened",
  "survey.answered",
  "customer.created",
  "sla.breached",
  "note.added",
  "ticket.closed",
  "ticket.status_changed",
  "ticket.assigned",
];

/** Webhooks: where domain events are posted, signed with each webhook's secret. */
export function WebhooksTab() {
  const webhooks = useWebhooks();
  const create = useCreateWebhook();
  const patch = usePatchWebhook();
  const remove = useDeleteWebhook();
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>([]);

  const columns: Column<Webhook>[] = [
    { key: "name", header: "Name", render: (w) => w.name },
    { key: "url", header: "URL", render: (w) => w.url },
    { key: "events", header: "Events", render: (w) => w.events.map((e) => <Badge key={e} variant="light" mr={4}>{e}</Badge>) },
    { key: "secret", header: "Secret", render: (w) => <Code>{w.secret}</Code> },
    {
      key: "active",
      header: "Active",
      render: (w) => (
        <Switch
          aria-label={`Active: ${w.name}`}
          checked={w.active}
          onChange={(e) => patch.mutate({ id: w.id, body: { active: e.currentTarget.checked } })}
        />
      ),
    },
    {
      key: "delete",
      render: (w) => (
        <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(w.id)}>
          Delete
        </Button>
      ),
    },
  ];

  return (
    <Stack>
      <Group align="flex-end" wrap="wrap">
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <TextInput label="URL" w={320} value={url} onChange={(e) => setUrl(e.currentTarget.value)} />
        <MultiSelect label="Events" w={320} data={EVENTS} value={events} onChange={setEvents} searchable />
        <Button
          loading={create.isPending}
          disabled={!name.trim() || !url.trim() || !events.length}
          onClick={() =>
            create.mutate(
              { name, url, events, active: true },
              {
                onSuccess: () => {
                  setName("");
                  setUrl("");
                  setEvents([]);
                  notifications.show({ color: "green", message: "Webhook created" });
                },
                onError: (err) => notifications.show({ color: "red", message: err.message }),
              },
            )
          }
        >
          Add webhook
        </Button>
      </Group>
      {webhooks.isError ? (
        <QueryError error={webhooks.error} onRetry={() => void webhooks.refetch()} />
      ) : (
        <DataTable striped minWidth={900} columns={columns} rows={webhooks.data} rowKey={(w) => w.id} empty="No webhooks yet." />
      )}
    </Stack>
  );
}
