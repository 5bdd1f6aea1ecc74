import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Radio, Stack, Switch, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState, type FormEvent } from "react";
import {
  useCreateIntegration,
  useIntegrations,
  usePatchIntegration,
  useRotateIntegrationSecret,
} from "../../api/admin";
import { ApiError, errorMessage } from "../../api/client";
import type { Integration, IntegrationCreated } from "../../api/types";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";
import { absTime } from "../../lib/format";

const KIND_LABEL: Record<Integration["kind"], string> = { chat: "Chat", social: "Social" };
// The server's rule for a platform's name (channels/schemas.py PLATFORM_PATTERN), checked
// here too so that a typo is flagged as it is typed rather than by a 422.
const PLATFORM = /^[a-z0-9][a-z0-9_.-]{0,39}$/;
const INLINE = ["platform", "name", "reply_url"]; // problems shown under their field

function Copyable({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        {label}
      </Text>
      <Group gap="xs" wrap="nowrap">
        <Code block style={{ flex: 1, overflowWrap: "anywhere" }} data-testid={testId}>
          {value}
        </Code>
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Button size="xs" onClick={copy} color={copied ? "teal" : "blue"} aria-label={`Copy ${label.toLowerCase()}`}>
              {copied ? "Copied" : "Copy"}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Stack>
  );
}

/** The secret, shown this once (the API never answers it again), and what the bridge needs. */
function SecretPanel({ integration, onDone }: { integration: IntegrationCreated; onDone: () => void }) {
  const door = integration.inbound_url; // absolute, at the desk's BASE_URL
  return (
    <Stack>
      <Alert color="yellow" title={`${integration.name}: this is the only time its secret is shown`}>
        Store it in the {integration.platform} bridge now. If it is lost, issue a new secret (the old one then stops working).
      </Alert>
      <Copyable label="Secret" value={integration.secret} testId="integration-secret" />
      <Copyable label="Door URL" value={door} testId="integration-door" />
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          What the bridge sends
        </Text>
        <Text size="sm">
          Each message is POSTed as JSON to the door URL with <Code>&quot;platform&quot;: &quot;{integration.platform}&quot;</Code>{" "}
          and the header <Code>{integration.signature_header}: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of &quot;&lt;t&gt;.&lt;raw body&gt;&quot;&gt;</Code>{" "}
          computed with this secret; a timestamp more than {integration.signature_tolerance_seconds} s from the desk&apos;s clock is refused.
          {integration.reply_url
            ? " Agents' replies are posted to the reply URL, signed the same way."
            : " Without a reply URL, agents' replies stay on the ticket."}
        </Text>
      </Stack>
      <Group justify="flex-end">
        <Button onClick={onDone}>I have stored the secret</Button>
      </Group>
    </Stack>
  );
}

/** Create (kind, platform, name, reply URL, active) or edit (name, reply URL) an integration. */
function IntegrationForm({
  integration,
  onCreated,
  onDone,
}: {
  integration: Integration | null;
  onCreated: (created: IntegrationCreated) => void;
  onDone: () => void;
}) {
  const create = useCreateIntegration();
  const patch = usePatchIntegration();
  const [kind, setKind] = useState<Integration["kind"]>(integration?.kind ?? "chat");
  const [platform, setPlatform] = useState(integration?.platform ?? "");
  const [name, setName] = useState(integration?.name ?? "");
  const [replyUrl, setReplyUrl] = useState(integration?.reply_url ?? "");
  const [active, setActive] = useState(true);
  const saving = integration ? patch : create;
  const errors = saving.error instanceof ApiError ? saving.error.fieldErrors : {};
  const platformError = platform && !PLATFORM.test(platform) ? "lower-case letters, digits and _ . - (up to 40)" : errors.platform;
  const elsewhere = !Object.keys(errors).length || Object.keys(errors).some((f) => !INLINE.includes(f));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const reply_url = replyUrl.trim() || null;
    if (integration) {
      patch.mutate(
        { id: integration.id, body: { name: name.trim(), reply_url } },
        {
          onSuccess: (saved) => {
            notifications.show({ color: "green", message: `Integration ${saved.name} saved` });
            onDone();
          },
        },
      );
    } else {
      create.mutate({ kind, platform, name: name.trim(), reply_url, active }, { onSuccess: onCreated });
    }
  };

  return (
    <form onSubmit={submit}>
      <Stack>
        {integration ? (
          <Text size="sm" c="dimmed">
            {KIND_LABEL[integration.kind]} · <Code>{integration.platform}</Code> (kind and platform cannot change)
          </Text>
        ) : (
          <>
            <Radio.Group label="Kind" value={kind} onChange={(v) => setKind(v as Integration["kind"])}>
              <Group mt={4}>
                <Radio value="chat" label="Chat (a chat widget)" />
                <Radio value="social" label="Social (a social network's bridge)" />
              </Group>
            </Radio.Group>
            <TextInput
              label="Platform"
              description="How the bridge names itself in each message: widget, mastodon, whatsapp…"
              required
              value={platform}
              onChange={(e) => setPlatform(e.currentTarget.value)}
              error={platformError}
              data-autofocus
            />
          </>
        )}
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} />
        <TextInput
          label="Reply URL"
          description="Where agents' replies are posted, signed with the secret. Empty: replies stay on the ticket."
          type="url"
          value={replyUrl}
          onChange={(e) => setReplyUrl(e.currentTarget.value)}
          error={errors.reply_url}
        />
        {!integration && (
          <Switch label="Active (accepts messages at once)" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
        )}
        {saving.isError && elsewhere && (
          <Alert color="red" title="Not saved">
            {errorMessage(saving.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button
            type="submit"
            loading={saving.isPending}
            disabled={!name.trim() || (!integration && (!platform || !!platformError))}
          >
            {integration ? "Save integration" : "Create integration"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Chat widgets and social bridges: each posts signed messages to its door (docs/channels.md). */
export function IntegrationsTab() {
  const integrations = useIntegrations();
  const patch = usePatchIntegration();
  const rotate = useRotateIntegrationSecret();
  // `editing` outlives the form's modal, so that its title holds while the modal fades out.
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Integration | null>(null);
  const openForm = (integration: Integration | null) => {
    setEditing(integration);
    setFormOpen(true);
  };
  const [rotating, setRotating] = useState<Integration | null>(null);
  // Held only while its modal is open: once closed, the secret is gone from the page.
  const [secret, setSecret] = useState<IntegrationCreated | null>(null);

  const setActive = (i: Integration, active: boolean) =>
    patch.mutate(
      { id: i.id, body: { active } },
      {
        onSuccess: () =>
          notifications.show({ color: "green", message: `${i.name} ${active ? "reactivated" : "deactivated"}` }),
        onError: (err) => notifications.show({ color: "red", message: errorMessage(err) }),
      },
    );

  const columns: Column<Integration>[] = [
    { key: "kind", header: "Kind", render: (i) => <Badge variant="light">{KIND_LABEL[i.kind]}</Badge> },
    { key: "platform", header: "Platform", render: (i) => <Code>{i.platform}</Code> },
    { key: "name", header: "Name", render: (i) => i.name },
    {
      key: "active",
      header: "Active",
      render: (i) => (i.active ? <Badge color="green">Active</Badge> : <Badge color="gray">Inactive</Badge>),
    },
    {
      key: "reply",
      header: "Reply URL",
      render: (i) =>
        i.reply_url ? (
          <Text size="sm" style={{ overflowWrap: "anywhere" }}>
            {i.reply_url}
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            none: replies stay on the ticket
          </Text>
        ),
    },
    { key: "created", header: "Created", render: (i) => absTime(i.created_at) },
    {
      key: "actions",
      align: "right",
      render: (i) => (
        <Group gap="xs" justify="flex-end" wrap="nowrap">
          <Button size="xs" variant="default" onClick={() => openForm(i)} aria-label={`Edit ${i.name}`}>
            Edit
          </Button>
          <Button size="xs" variant="default" onClick={() => setRotating(i)} aria-label={`New secret for ${i.name}`}>
            New secret
          </Button>
          <Button
            size="xs"
            variant="light"
            color={i.active ? "red" : "green"}
            loading={patch.isPending && patch.variables?.id === i.id}
            onClick={() => setActive(i, !i.active)}
            aria-label={`${i.active ? "Deactivate" : "Reactivate"} ${i.name}`}
          >
            {i.active ? "Deactivate" : "Reactivate"}
          </Button>
        </Group>
      ),
    },
  ];

  return (
    <Stack>
      <Group justify="space-between" wrap="nowrap">
        <Text c="dimmed" size="sm">
          Chat widgets and social bridges post each message, signed with their integration&apos;s secret, to the chat or social
          door; a conversation stays one ticket. An inactive integration&apos;s messages are refused; integrations are never
          deleted (their messages name them).
        </Text>
        <Button onClick={() => openForm(null)} style={{ flexShrink: 0 }}>
          New integration
        </Button>
      </Group>
      {integrations.isError ? (
        <QueryError error={integrations.error} onRetry={() => void integrations.refetch()} />
      ) : (
        <DataTable
          striped
          minWidth={1000}
          columns={columns}
          rows={integrations.data}
          rowKey={(i) => i.id}
          rowTestId="integration-row"
          empty="No chat or social integrations yet."
        />
      )}
      <Modal
        opened={formOpen}
        onClose={() => setFormOpen(false)}
        title={editing ? `Edit ${editing.name}` : "New chat or social integration"}
        size="lg"
      >
        {formOpen && (
          <IntegrationForm
            integration={editing}
            onCreated={(created) => {
              setFormOpen(false);
              setSecret(created);
            }}
            onDone={() => setFormOpen(false)}
          />
        )}
      </Modal>
      <Modal
        opened={secret !== null}
        onClose={() => setSecret(null)}
        closeOnClickOutside={false}
        title="Copy the secret now"
        size="lg"
      >
        {secret && <SecretPanel integration={secret} onDone={() => setSecret(null)} />}
      </Modal>
      <Modal opened={rotating !== null} onClose={() => setRotating(null)} title="Issue a new secret">
        <Text size="sm">
          Issue a new secret for <strong>{rotating?.name}</strong>? The current one stops working at once: messages the bridge
          signs with it are refused until it has the new one.
        </Text>
        {rotate.isError && (
          <Alert color="red" mt="sm" title="No new secret">
            {errorMessage(rotate.error)}
          </Alert>
        )}
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setRotating(null)}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={rotate.isPending}
            onClick={() =>
              rotating &&
              rotate.mutate(rotating.id, {
                onSuccess: (created) => {
                  setRotating(null);
                  setSecret(created);
                },
              })
            }
          >
            Issue new secret
          </Button>
        </Group>
      </Modal>
    </Stack>
  );
}
