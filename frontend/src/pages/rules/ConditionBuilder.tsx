import {
  ActionIcon,
  Button,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import type { Catalog, Condition } from "../../api/automation";
import { changeField, changeOperator, fieldOf, newCondition, operatorsFor, valueKind, type ConditionGroup } from "./rule";

const GROUP_TITLE: Record<ConditionGroup, string> = {
  all: "All of these conditions",
  any: "Any of these conditions",
};

const GROUP_LABEL: Record<ConditionGroup, string> = { all: "All", any: "Any" };

/** The value picker of a condition: what it offers depends on the field's type and the operator. */
function ValuePicker({
  catalog,
  condition,
  label,
  error,
  onChange,
}: {
  catalog: Catalog;
  condition: Condition;
  label: string;
  error?: string;
  onChange: (value: Condition["value"]) => void;
}) {
  const kind = valueKind(catalog, condition);
  const choices = fieldOf(catalog, condition.field)?.choices ?? [];
  const common = { "aria-label": label, error, flex: 1, miw: 160 };
  switch (kind) {
    case "none":
      return error ? (
        <Text size="xs" c="red" flex={1}>
          {error}
        </Text>
      ) : (
        <div style={{ flex: 1 }} />
      );
    case "field":
      return (
        <Select
          {...common}
          placeholder="Changed field"
          data={catalog.fields.filter((f) => f.name !== "event.changes").map((f) => f.name)}
          value={typeof condition.value === "string" ? condition.value : null}
          onChange={(v) => onChange(v ?? "")}
          searchable
        />
      );
    case "list":
      return choices.length ? (
        <MultiSelect
          {...common}
          placeholder="Values"
          data={choices}
          value={Array.isArray(condition.value) ? condition.value : []}
          onChange={onChange}
          searchable
        />
      ) : (
        <TagsInput
          {...common}
          placeholder="Type and press Enter"
          value={Array.isArray(condition.value) ? condition.value : []}
          onChange={onChange}
        />
      );
    case "choice":
      return (
        <Select
          {...common}
          placeholder="Value"
          data={choices}
          value={typeof condition.value === "string" ? condition.value : null}
          onChange={(v) => onChange(v ?? "")}
          searchable
        />
      );
    case "number":
      return (
        <NumberInput
          {...common}
          placeholder="Number"
          value={typeof condition.value === "number" ? condition.value : ""}
          onChange={(v) => onChange(typeof v === "number" ? v : v === "" ? null : Number(v))}
        />
      );
    case "bool":
      return (
        <Switch
          aria-label={label}
          error={error}
          label={condition.value ? "yes" : "no"}
          checked={condition.value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          flex={1}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          placeholder={condition.op === "matches" ? "Regular expression" : "Text"}
          value={typeof condition.value === "string" ? condition.value : String(condition.value ?? "")}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}

function ConditionRow({
  catalog,
  condition,
  label,
  path,
  errors,
  onChange,
  onRemove,
}: {
  catalog: Catalog;
  condition: Condition;
  label: string;
  path: string;
  errors: Record<string, string>;
  onChange: (c: Condition) => void;
  onRemove: () => void;
}) {
  const fieldNames = catalog.fields.map((f) => f.name);
  // A field the catalog does not know (typed in the JSON view) still shows, so the server can name it.
  const fieldData = fieldNames.includes(condition.field) || !condition.field ? fieldNames : [condition.field, ...fieldNames];
  const ops = operatorsFor(catalog, condition.field);
  const opData = ops.includes(condition.op) || !condition.op ? ops : [condition.op, ...ops];
  return (
    <Stack gap={2} data-testid="condition-row">
      <Group gap="xs" align="flex-start" wrap="wrap">
        <Select
          aria-label={`${label} field`}
          data={fieldData}
          value={condition.field || null}
          onChange={(v) => v && onChange(changeField(catalog, condition, v))}
          error={errors[`${path}.field`]}
          searchable
          w={230}
        />
        <Select
          aria-label={`${label} operator`}
          data={opData}
          value={condition.op || null}
          onChange={(v) => v && onChange(changeOperator(catalog, condition, v))}
          error={errors[`${path}.op`]}
          w={150}
        />
        <ValuePicker
          catalog={catalog}
          condition={condition}
          label={`${label} value`}
          error={errors[`${path}.value`]}
          onChange={(value) => onChange({ ...condition, value })}
        />
        <ActionIcon variant="subtle" color="gray" aria-label={`Remove ${label.toLowerCase()}`} onClick={onRemove} mt={4}>
          <IconTrash size={16} />
        </ActionIcon>
      </Group>
      {errors[path] && (
        <Text size="xs" c="red">
          {errors[path]}
        </Text>
      )}
    </Stack>
  );
}

/** The conditions of one group (`all` or `any`) as rows of field, operator and value. */
export function ConditionGroupBuilder({
  catalog,
  group,
  conditions,
  errors,
  onChange,
}: {
  catalog: Catalog;
  group: ConditionGroup;
  conditions: Condition[];
  errors: Record<string, string>;
  onChange: (conditions: Condition[]) => void;
}) {
  const path = `conditions.${group}`;
  return (
    <Stack gap="xs" component="fieldset" style={{ border: 0, padding: 0, margin: 0 }}>
      <Text component="legend" fw={500} size="sm">
        {GROUP_TITLE[group]}
      </Text>
      {conditions.length === 0 && (
        <Text size="xs" c="dimmed">
          {group === "all" ? "None: the trigger alone decides." : "None: no alternative is required."}
        </Text>
      )}
      {conditions.map((c, i) => (
        <ConditionRow
          key={i}
          catalog={catalog}
          condition={c}
          label={`${GROUP_LABEL[group]} condition ${i + 1}`}
          path={`${path}[${i}]`}
          errors={errors}
          onChange={(next) => onChange(conditions.map((old, j) => (j === i ? next : old)))}
          onRemove={() => onChange(conditions.filter((_, j) => j !== i))}
        />
      ))}
      {errors[path] && (
        <Text size="xs" c="red">
          {errors[path]}
        </Text>
      )}
      <Group>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={14} />}
          onClick={() => onChange([...conditions, newCondition(catalog)])}
        >
          {group === "all" ? "Add condition (all)" : "Add condition (any)"}
        </Button>
      </Group>
    </Stack>
  );
}
