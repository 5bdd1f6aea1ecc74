import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Group,
  List,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { ApiError } from "../../api/client";
import { useCreateSegment, useSegmentFields, useSegmentPreview } from "../../api/marketing";
import type { SegmentField } from "../../api/types";
import { QueryError } from "../../components/QueryError";
import { FIELD_LABELS, OP_LABELS, needsValue, toConditions, type DraftCondition } from "./conditions";

let nextKey = 1;

function ValueInput({ row, field, onChange }: { row: DraftCondition; field: SegmentField | undefined; onChange: (v: string) => void }) {
  const label = `Value of condition ${row.key}`;
  if (!needsValue(row.op)) return null;
  if (field?.type === "bool") {
    return <Select aria-label={label} data={["true", "false"]} value={row.value || null} onChange={(v) => onChange(v ?? "")} w={140} />;
  }
  if (field && field.choices.length > 0 && !["in", "not_in"].includes(row.op)) {
    return <Select aria-label={label} data={field.choices} value={row.value || null} onChange={(v) => onChange(v ?? "")} w={180} />;
  }
  const placeholder = ["in", "not_in"].includes(row.op) ? "a, b, c" : field?.type === "number" || field?.type === "days" ? "0" : "";
  return <TextInput aria-label={label} placeholder={placeholder} value={row.value} onChange={(e) => onChange(e.currentTarget.value)} w={200} />;
}

/** Builds a segment's conditions with a live count and the first members as it is edited. */
export function SegmentBuilderPage() {
  const navigate = useNavigate();
  const fields = useSegmentFields();
  const create = useCreateSegment();
  const [name, setName] = useState("");
  const [match, setMatch] = useState<"all" | "any">("all");
  const [rows, setRows] = useState<DraftCondition[]>([]);
  const known = useMemo(() => fields.data?.fields ?? [], [fields.data]);
  const conditions = useMemo(() => toConditions(rows, match, known), [rows, match, known]);
  const [debounced] = useDebouncedValue(conditions, 300);
  const preview = useSegmentPreview(debounced, fields.isSuccess);

  const update = (key: number, change: Partial<DraftCondition>) =>
    setRows((all) => all.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const addRow = () => {
    const first = known[0];
    setRows((all) => [...all, { key: nextKey++, field: first?.name ?? "", op: first?.operators[0] ?? "", value: "" }]);
  };
  const save = () =>
    create.mutate({ name: name.trim(), conditions }, { onSuccess: () => navigate("/marketing") });
  const nameError = create.error instanceof ApiError ? create.error.fieldErrors["name"] : undefined;

  if (fields.isError) return <QueryError error={fields.error} onRetry={() => void fields.refetch()} />;
  return (
    <Stack p="md" maw={1000} mx="auto">
      <Title order={1} size="h3">
        New segment
      </Title>
      <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={nameError} required />
      <Group>
        <Text size="sm">Customers matching</Text>
        <SegmentedControl
          aria-label="Match"
          value={match}
          onChange={(v) => setMatch(v as "all" | "any")}
          data={[
            { value: "all", label: "all conditions" },
            { value: "any", label: "any condition" },
          ]}
        />
      </Group>
      {rows.map((row) => {
        const field = known.find((f) => f.name === row.field);
        return (
          <Group key={row.key} gap="xs" data-testid="condition-row" wrap="wrap">
            <Select
              aria-label={`Field of condition ${row.key}`}
              data={known.map((f) => ({ value: f.name, label: FIELD_LABELS[f.name] ?? f.name }))}
              value={row.field}
              onChange={(v) => {
                const next = known.find((f) => f.name === v);
                update(row.key, { field: v ?? "", op: next?.operators[0] ?? "", value: "" });
              }}
              w={240}
            />
            <Select
              aria-label={`Operator of condition ${row.key}`}
              data={(field?.operators ?? []).map((op) => ({ value: op, label: OP_LABELS[op] ?? op }))}
              value={row.op}
              onChange={(v) => update(row.key, { op: v ?? "" })}
              w={170}
            />
            <ValueInput row={row} field={field} onChange={(value) => update(row.key, { value })} />
            <ActionIcon variant="subtle" color="red" aria-label={`Remove condition ${row.key}`} onClick={() => setRows((all) => all.filter((r) => r.key !== row.key))}>
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        );
      })}
      <Group>
        <Button variant="default" leftSection={<IconPlus size={16} />} onClick={addRow} disabled={!fields.isSuccess}>
          Add condition
        </Button>
      </Group>
      <Card withBorder>
        {preview.isError ? (
          <QueryError error={preview.error} title="These conditions are not valid" />
        ) : preview.data ? (
          <Stack gap="xs">
            <Text fw={600} aria-live="polite" data-testid="segment-count">
              {preview.data.count === 1 ? "1 customer matches" : `${preview.data.count} customers match`}
            </Text>
            <List size="sm">
              {preview.data.items.map((m) => (
                <List.Item key={m.id}>
                  {m.name} {m.email ? `<${m.email}>` : ""}
                </List.Item>
              ))}
            </List>
          </Stack>
        ) : (
          <Loader size="sm" aria-label="Counting" />
        )}
      </Card>
      {create.isError && !nameError && <Alert color="red">{create.error.message}</Alert>}
      <Group>
        <Button onClick={save} loading={create.isPending} disabled={!name.trim()}>
          Save segment
        </Button>
      </Group>
    </Stack>
  );
}
