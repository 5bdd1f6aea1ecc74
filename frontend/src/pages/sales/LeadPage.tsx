import {
  Alert,
  Anchor,
  Breadcrumbs,
  Button,
  Center,
  Group,
  Loader,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { ApiError } from "../../api/client";
import { useLead, useLeadStages, useSetLeadStage, useUpdateLead, type Lead, type LeadChanges } from "../../api/sales";
import { useAgents } from "../../api/tickets";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";
import { absTime } from "../../lib/format";
import { money, stageLabel } from "./board";
import { historyText } from "./history";

/** One lead: its stage, the fields an agent edits, and its history (who did what, when). */
export function LeadPage() {
  const id = Number(useParams().id);
  const lead = useLead(id);
  if (lead.isPending) {
    return (
      <Center py={80}>
        <Loader aria-label="Loading lead" />
      </Center>
    );
  }
  if (lead.isError) {
    return (
      <Stack p="md">
        <QueryError error={lead.error} title="Could not load the lead" />
      </Stack>
    );
  }
  return <LeadView lead={lead.data} />;
}

function LeadView({ lead }: { lead: Lead }) {
  const stages = useLeadStages();
  const agents = useAgents();
  const update = useUpdateLead(lead.id);
  const setStage = useSetLeadStage();
  const [value, setValue] = useState<number | string>(lead.value);
  const [currency, setCurrency] = useState(lead.currency);
  const [owner, setOwner] = useState<string | null>(lead.owner_id === null ? null : String(lead.owner_id));
  const [closeDate, setCloseDate] = useState(lead.expected_close_date ?? "");
  const [lostReason, setLostReason] = useState(lead.lost_reason);
  const fieldErrors = update.error instanceof ApiError ? update.error.fieldErrors : {};

  const changes: LeadChanges = {};
  if (Number(value) !== lead.value) changes.value = Number(value);
  if (currency !== lead.currency) changes.currency = currency;
  if ((owner === null ? null : Number(owner)) !== lead.owner_id && owner !== null) changes.owner_id = Number(owner);
  if ((closeDate || null) !== lead.expected_close_date && closeDate) changes.expected_close_date = closeDate;
  if (lostReason !== lead.lost_reason) changes.lost_reason = lostReason;
  const dirty = Object.keys(changes).length > 0;

  const columns: Column<NonNullable<Lead["history"]>[number]>[] = [
    { key: "at", header: "When", render: (h) => absTime(h.at) },
    { key: "who", header: "Who", render: (h) => h.actor_label || h.actor_kind },
    { key: "what", header: "What", render: (h) => historyText(h, lead.id) },
  ];
  const agentOptions = (agents.data ?? []).map((a) => ({ value: String(a.id), label: a.name }));

  return (
    <Stack p="md" maw={1000} mx="auto">
      <div>
        <Breadcrumbs mb={4}>
          <Anchor component={Link} to="/leads" size="sm">
            Leads
          </Anchor>
          <Text size="sm">Lead {lead.id}</Text>
        </Breadcrumbs>
        <Title order={1} size="h3">
          {lead.customer_name || lead.customer_email || `Customer ${lead.customer_id}`} ·{" "}
          {money(lead.value, lead.currency)}
        </Title>
        <Group gap="xs" mt={6}>
          <Text size="sm" c="dimmed">
            From {lead.source_channel}
          </Text>
          {lead.source_ticket_id !== null && (
            <Anchor component={Link} to={`/tickets/${lead.source_ticket_id}`} size="sm">
              ticket {lead.source_ticket_id}
            </Anchor>
          )}
          {lead.campaign_id !== null && (
            <Anchor component={Link} to={`/marketing/campaigns/${lead.campaign_id}`} size="sm">
              campaign {lead.campaign_id}
            </Anchor>
          )}
          {lead.merged_into !== null && (
            <Anchor component={Link} to={`/leads/${lead.merged_into}`} size="sm">
              merged into lead {lead.merged_into}
            </Anchor>
          )}
        </Group>
      </div>
      {(update.error ?? setStage.error) && !Object.keys(fieldErrors).length && (
        <Alert color="red" title="Not saved">
          {(update.error ?? setStage.error)?.message}
        </Alert>
      )}
      <Paper withBorder p="md" radius="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Stage"
            data={(stages.data?.stages ?? [lead.stage]).map((s) => ({ value: s, label: stageLabel(s) }))}
            value={lead.stage}
            allowDeselect={false}
            disabled={lead.merged_into !== null}
            onChange={(stage) => stage && setStage.mutate({ id: lead.id, stage })}
          />
          <Select
            label="Owner"
            data={agentOptions}
            value={owner}
            onChange={setOwner}
            error={fieldErrors.owner_id}
            searchable
          />
          <NumberInput label="Value" value={value} onChange={setValue} min={0} decimalScale={2} error={fieldErrors.value} />
          <TextInput
            label="Currency"
            value={currency}
            maxLength={3}
            onChange={(e) => setCurrency(e.currentTarget.value.toUpperCase())}
            error={fieldErrors.currency}
          />
          <TextInput
            label="Expected close date"
            type="date"
            value={closeDate}
            onChange={(e) => setCloseDate(e.currentTarget.value)}
            error={fieldErrors.expected_close_date}
          />
          <TextInput
            label="Lost reason"
            value={lostReason}
            onChange={(e) => setLostReason(e.currentTarget.value)}
            error={fieldErrors.lost_reason}
          />
        </SimpleGrid>
        <Group justify="flex-end" mt="md">
          <Button disabled={!dirty} loading={update.isPending} onClick={() => update.mutate(changes)}>
            Save
          </Button>
        </Group>
      </Paper>
      <Title order={2} size="h4">
        History
      </Title>
      <DataTable
        aria-label="Lead history"
        columns={columns}
        rows={lead.history ?? []}
        rowKey={(_, i) => i}
        rowTestId="history-row"
        empty="No history."
      />
    </Stack>
  );
}
