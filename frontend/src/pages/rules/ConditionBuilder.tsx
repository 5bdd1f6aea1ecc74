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
import {
  changeField,
  changeOperator,
  fieldOf,
  FORM_KEY,
  FORM_PREFIX,
  isFormField,
  newCondition,
  operatorsFor,
  valueKind,
  type ConditionGroup,
} from "./rule";

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

// The field picker's entry for a web form's field; its name is typed beside it.
const FORM_OPTION = { value: `${FORM_PREFIX}*`, label: `${FORM_PREFIX}… (web form field)` };

/** The name of a web form's field, after `ticket.form.` (what the form posts: order_number, interest...). */
function FormKeyInput({
  label,
  condition,
  error,
  onChange,
}: {
  label: string;
  condition: Condition;
  error?: string;
  onChange: (c: Condition) => void;
}) {
  const key = condition.field.slice(FORM_PREFIX.length);
  const malformed = key !== "" && !FORM_KEY.test(key);
  return (
    <TextInput
      aria-label={`${label} form field`}
      placeholder="Form field, e.g. interest"
      leftSection={<Text size="xs">form.</Text>}
      leftSectionWidth={44}
      value={key}
      onChange={(e) => onChange({ ...condition, field: FORM_PREFIX + e.currentTarget.value.trim() })}
      error={error ?? (malformed ? "Lower-case letters, digits and _, starting with a letter" : undefined)}
      w={200}
    />
  );
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
  const form = isFormField(condition.field);
  // A field the catalog does not know (typed in the JSON view) still shows, so the server can name it.
  const known = !condition.field || form || fieldNames.includes(condition.field);
  const fieldData = [...(known ? [] : [condition.field]), ...fieldNames, FORM_OPTION];
  const ops = operatorsFor(catalog, condition.field);
  const opData = ops.includes(condition.op) || !condition.op ? ops : [condition.op, ...ops];
  const fieldError = errors[`${path}.field`];
  return (
    <Stack gap={2} data-testid="condition-row">
      <Group gap="xs" align="flex-start" wrap="wrap">
        <Select
          aria-label={`${label} field`}
          data={fieldData}
          value={form ? FORM_OPTION.value : condition.field || null}
          onChange={(v) => v && onChange(changeField(catalog, condition, v === FORM_OPTION.value ? FORM_PREFIX : v))}
          error={form ? undefined : fieldError}
          searchable
          w={230}
        />
        {form && <FormKeyInput label={label} condition={condition} error={fieldError} onChange={onChange} />}
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
