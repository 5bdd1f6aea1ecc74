import { ActionIcon, Button, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Switch, TagsInput, Text, TextInput, Textarea } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import type { Catalog, CatalogParam, RuleAction } from "../../api/automation";
import { useCampaigns } from "../../api/marketing";
import { LIST_PARAM_TYPES, newAction, paramChoices } from "./rule";

function paramLabel(name: string): string {
  const words = name.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One parameter of an action, picked the way its catalog type says. */
function ParamInput({
  param,
  choices,
  value,
  label,
  error,
  onChange,
}: {
  param: CatalogParam;
  choices: string[];
  value: unknown;
  label: string;
  error?: string;
  onChange: (value: unknown) => void;
}) {
  const common = { label: paramLabel(param.name), "aria-label": label, error };
  if (choices.length) {
    const data = typeof value === "string" && value && !choices.includes(value) ? [value, ...choices] : choices;
    return (
      <Select
        {...common}
        data={data}
        value={typeof value === "string" && value ? value : null}
        onChange={(v) => onChange(v ?? "")}
        searchable
      />
    );
  }
  if (LIST_PARAM_TYPES.has(param.type)) {
    return <TagsInput {...common} value={Array.isArray(value) ? value.map(String) : []} onChange={onChange} />;
  }
  // Bodies are templates of several lines.
  const kind = param.name === "body" ? "template" : param.type;
  switch (kind) {
    case "number":
      return (
        <NumberInput
          {...common}
          value={typeof value === "number" ? value : ""}
          onChange={(v) => onChange(typeof v === "number" ? v : v === "" ? null : Number(v))}
        />
      );
    case "bool":
      return <Switch {...common} checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />;
    case "template":
      return (
        <Textarea
          {...common}
          style={{ gridColumn: "1 / -1" }}
          autosize
          minRows={2}
          description="Jinja2 over ticket, customer, agent, survey and lead"
          value={typeof value === "string" ? value : ""}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          value={typeof value === "string" ? value : value == null ? "" : String(value)}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}

/**
 * The triggered campaign a `send_campaign` action sends, shown by its name: the catalog
 * gives the ids the server accepts, the campaigns list their names.
 */
function CampaignInput({
  ids,
  value,
  label,
  error,
  onChange,
}: {
  ids: string[];
  value: unknown;
  label: string;
  error?: string;
  onChange: (value: unknown) => void;
}) {
  const campaigns = useCampaigns();
  const names = new Map((campaigns.data?.items ?? []).map((c) => [String(c.id), c.name]));
  // A saved rule may give the id as a number, a picked one is the picker's string.
  const current = value === null || value === undefined || value === "" ? null : String(value);
  const options = current && !ids.includes(current) ? [current, ...ids] : ids;
  return (
    <Select
      label="Campaign"
      aria-label={label}
      error={error}
      data={options.map((id) => ({ value: id, label: names.has(id) ? `${names.get(id)} (#${id})` : `#${id}` }))}
      value={current}
      onChange={(v) => onChange(v ?? "")}
      nothingFoundMessage="No triggered campaign"
      searchable
    />
  );
}

function ActionRow({
  catalog,
  action,
  index,
  errors,
  onChange,
  onRemove,
}: {
  catalog: Catalog;
  action: RuleAction;
  index: number;
  errors: Record<string, string>;
  onChange: (a: RuleAction) => void;
  onRemove: () => void;
}) {
  const path = `actions[${index}]`;
  const label = `Action ${index + 1}`;
  const spec = catalog.actions.find((a) => a.type === action.type);
  const types = catalog.actions.map((a) => ({ value: a.type, label: a.label }));
  if (!spec && action.type) types.unshift({ value: action.type, label: action.type });
  return (
    <Paper withBorder p="sm" radius="sm" data-testid="action-row">
      <Stack gap="xs">
        <Group gap="xs" align="flex-start">
          <Select
            aria-label={`${label} type`}
            data={types}
            value={action.type || null}
            onChange={(v) => v && onChange(newAction(catalog, v))}
            error={errors[`${path}.type`]}
            searchable
            flex={1}
          />
          <ActionIcon variant="subtle" color="gray" aria-label={`Remove ${label.toLowerCase()}`} onClick={onRemove} mt={4}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          {spec?.params.map((p) => {
            const props = {
              value: action[p.name],
              label: `${label} ${p.name.replace(/_/g, " ")}`,
              error: errors[`${path}.${p.name}`],
              onChange: (value: unknown) =>
                // A `set` action's value depends on its field: a new field starts it again.
                onChange(
                  action.type === "set" && p.name === "field"
                    ? { type: action.type, field: value }
                    : { ...action, [p.name]: value },
                ),
            };
            return p.name === "campaign_id" ? (
              <CampaignInput key={p.name} ids={p.choices ?? []} {...props} />
            ) : (
              <ParamInput key={p.name} param={p} choices={paramChoices(catalog, action, p)} {...props} />
            );
          })}
        </SimpleGrid>
        {errors[path] && (
          <Text size="xs" c="red">
            {errors[path]}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

/** The rule's actions, in the order they apply. */
export function ActionBuilder({
  catalog,
  actions,
  errors,
  onChange,
}: {
  catalog: Catalog;
  actions: RuleAction[];
  errors: Record<string, string>;
  onChange: (actions: RuleAction[]) => void;
}) {
  return (
    <Stack gap="xs" component="fieldset" style={{ border: 0, padding: 0, margin: 0 }}>
      <Text component="legend" fw={500} size="sm">
        Actions
      </Text>
      {actions.length === 0 && (
        <Text size="xs" c="dimmed">
          No action yet.
        </Text>
      )}
      {actions.map((a, i) => (
        <ActionRow
          key={i}
          catalog={catalog}
          action={a}
          index={i}
          errors={errors}
          onChange={(next) => onChange(actions.map((old, j) => (j === i ? next : old)))}
          onRemove={() => onChange(actions.filter((_, j) => j !== i))}
        />
      ))}
      {errors.actions && (
        <Text size="xs" c="red">
          {errors.actions}
        </Text>
      )}
      <Group>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={14} />}
          onClick={() => onChange([...actions, newAction(catalog, catalog.actions[0]?.type ?? "")])}
        >
          Add action
        </Button>
      </Group>
    </Stack>
  );
}
