import {
  Alert,
  Anchor,
  Button,
  Center,
  Grid,
  Group,
  List,
  Loader,
  MultiSelect,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import dayjs from "dayjs";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import {
  rulesKey,
  useCatalog,
  useDeleteRule,
  useDryRun,
  useRule,
  useSaveRule,
  type Catalog,
  type Rule,
  type RuleBody,
} from "../../api/automation";
import { ApiError, errorMessage } from "../../api/client";
import { QueryError } from "../../components/QueryError";
import { ActionBuilder } from "./ActionBuilder";
import { ConditionGroupBuilder } from "./ConditionBuilder";
import { DryRunPanel } from "./DryRunPanel";
import { CONDITION_GROUPS, emptyRule, parseRule, placedPaths, ruleBody, ruleJson } from "./rule";

/** What a failed save or dry run says: field errors by JSON path, and the rest for the top. */
interface Failure {
  title: string;
  detail: string | null;
  fields: Record<string, string>;
}

function failureOf(err: unknown, prefix = ""): Failure {
  if (!(err instanceof ApiError)) return { title: "Something went wrong", detail: errorMessage(err), fields: {} };
  const fields: Record<string, string> = {};
  for (const [path, message] of Object.entries(err.fieldErrors)) {
    fields[prefix && path.startsWith(prefix) ? path.slice(prefix.length) : path] = message;
  }
  return { title: err.problem.title, detail: err.problem.detail ?? null, fields };
}

function TriggerPicker({
  catalog,
  rule,
  errors,
  onChange,
}: {
  catalog: Catalog;
  rule: RuleBody;
  errors: Record<string, string>;
  onChange: (trigger: RuleBody["trigger"]) => void;
}) {
  const events = "events" in rule.trigger ? rule.trigger.events : null;
  return (
    <Stack gap={6}>
      <Text fw={500} size="sm" id="trigger-label">
        Trigger
      </Text>
      <SegmentedControl
        aria-labelledby="trigger-label"
        value={events ? "events" : "every"}
        onChange={(v) => onChange(v === "events" ? { events: [] } : { every: "minute" })}
        data={[
          { value: "events", label: "On events" },
          { value: "every", label: "Every minute" },
        ]}
        w="fit-content"
      />
      {events ? (
        <MultiSelect
          aria-label="Events"
          placeholder={events.length ? undefined : "Pick one or more events"}
          data={catalog.events}
          value={events}
          onChange={(v) => onChange({ events: v })}
          error={errors["trigger.events"] ?? errors.trigger}
          searchable
        />
      ) : (
        <Text size="xs" c={errors.trigger || errors["trigger.every"] ? "red" : "dimmed"}>
          {errors.trigger ??
            errors["trigger.every"] ??
            "Checked once a minute over the open and recently solved tickets; fires once per ticket."}
        </Text>
      )}
    </Stack>
  );
}

/** The builder and the JSON view of one rule; they edit the same rule. */
function RuleEditor({ id, initial, catalog }: { id: number | null; initial: RuleBody; catalog: Catalog }) {
  const navigate = useNavigate();
  const [rule, setRule] = useState(initial);
  const [text, setText] = useState(() => ruleJson(initial));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [previewed, setPreviewed] = useState<string | null>(null);
  const save = useSaveRule(id);
  const remove = useDeleteRule();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const dryRun = useDryRun();

  const edit = (next: RuleBody) => {
    setRule(next);
    setText(ruleJson(next));
    setJsonError(null);
  };
  const editJson = (value: string) => {
    setText(value);
    const parsed = parseRule(value);
    if (parsed.rule) {
      setRule(parsed.rule);
      setJsonError(null);
    } else {
      setJsonError(parsed.error);
    }
  };

  const onSave = () => {
    setFailure(null);
    save.mutate(rule, {
      onSuccess: (saved) => {
        notifications.show({ color: "green", message: `Rule “${saved.name}” saved` });
        navigate("/rules");
      },
      onError: (err) => setFailure(failureOf(err)),
    });
  };
  const onDryRun = () => {
    setFailure(null);
    const now = dayjs();
    const snapshot = ruleJson(rule);
    dryRun.mutate(
      { rule, from: now.subtract(30, "day").toISOString(), to: now.toISOString() },
      {
        onSuccess: () => setPreviewed(snapshot),
        onError: (err) => setFailure(failureOf(err, "rule.")),
      },
    );
  };

  const errors = failure?.fields ?? {};
  const placed = placedPaths(rule, catalog);
  const unplaced = Object.entries(errors).filter(([path]) => !placed.has(path));

  return (
    <Stack p="md" maw={1400} mx="auto">
      <Group justify="space-between" wrap="wrap">
        <Title order={1} size="h3">
          {id === null ? "New rule" : `Edit rule: ${initial.name}`}
        </Title>
        <Group gap="xs">
          {id !== null && (
            <Anchor component={Link} to={`/rules/${id}/runs`} size="sm">
              Run log
            </Anchor>
          )}
          {id !== null && (
            <Button
              variant={confirmDelete ? "filled" : "subtle"}
              color="red"
              loading={remove.isPending}
              onClick={() =>
                confirmDelete
                  ? remove.mutate(id, { onSuccess: () => navigate("/rules") })
                  : setConfirmDelete(true)
              }
            >
              {confirmDelete ? "Really delete?" : "Delete"}
            </Button>
          )}
          <Button variant="default" component={Link} to="/rules">
            Cancel
          </Button>
          <Button onClick={onSave} loading={save.isPending} disabled={!!jsonError}>
            Save rule
          </Button>
        </Group>
      </Group>
      {failure && (
        <Alert color="red" title={failure.title} role="alert">
          {failure.detail && <Text size="sm">{failure.detail}</Text>}
          {unplaced.length > 0 && (
            <List size="sm" mt="xs">
              {unplaced.map(([path, message]) => (
                <List.Item key={path}>{path === "_" ? message : `${path}: ${message}`}</List.Item>
              ))}
            </List>
          )}
        </Alert>
      )}
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Paper withBorder p="md" radius="md" component="section" aria-label="Rule builder">
            <Stack gap="md">
              <Group align="flex-start" wrap="wrap">
                <TextInput
                  label="Name"
                  value={rule.name}
                  onChange={(e) => edit({ ...rule, name: e.currentTarget.value })}
                  error={errors.name}
                  flex={1}
                  miw={240}
                />
                <NumberInput
                  label="Position"
                  description="Lower runs first"
                  value={rule.position}
                  onChange={(v) => edit({ ...rule, position: typeof v === "number" ? v : 0 })}
                  error={errors.position}
                  w={130}
                />
                <Switch
                  label="Active"
                  checked={rule.active}
                  onChange={(e) => edit({ ...rule, active: e.currentTarget.checked })}
                  error={errors.active}
                  mt={30}
                />
              </Group>
              <TriggerPicker
                catalog={catalog}
                rule={rule}
                errors={errors}
                onChange={(trigger) => edit({ ...rule, trigger })}
              />
              {errors.conditions && (
                <Text size="xs" c="red">
                  {errors.conditions}
                </Text>
              )}
              {CONDITION_GROUPS.map((group) => (
                <ConditionGroupBuilder
                  key={group}
                  catalog={catalog}
                  group={group}
                  conditions={rule.conditions[group]}
                  errors={errors}
                  onChange={(list) => edit({ ...rule, conditions: { ...rule.conditions, [group]: list } })}
                />
              ))}
              <ActionBuilder
                catalog={catalog}
                actions={rule.actions}
                errors={errors}
                onChange={(actions) => edit({ ...rule, actions })}
              />
          </Stack>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack>
            <DryRunPanel
              result={dryRun.data}
              stale={previewed !== null && previewed !== ruleJson(rule)}
              running={dryRun.isPending}
              onRun={onDryRun}
            />
            <Paper withBorder p="md" radius="md" component="section" aria-label="Rule JSON">
              <Textarea
                label="JSON"
                description="The same rule as the builder, as the API and rule files write it"
                value={text}
                onChange={(e) => editJson(e.currentTarget.value)}
                error={jsonError}
                autosize
                minRows={12}
                maxRows={30}
                spellCheck={false}
                styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12 } }}
              />
            </Paper>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

/** /rules/new and /rules/:id: the rule editor once the catalog (and the rule) are loaded. */
export function RuleEditorPage() {
  const params = useParams();
  const id = params.id ? Number(params.id) : null;
  const qc = useQueryClient();
  const catalog = useCatalog();
  const rule = useRule(id);
  const failed = catalog.error ?? rule.error;
  if (failed) {
    return (
      <Stack p="md">
        <QueryError
          error={failed}
          onRetry={() => {
            void catalog.refetch();
            if (id !== null) void rule.refetch();
          }}
        />
      </Stack>
    );
  }
  if (!catalog.data || (id !== null && !rule.data)) {
    return (
      <Center py={80}>
        <Loader aria-label="Loading rule" />
      </Center>
    );
  }
  const known = qc.getQueryData<Rule[]>(rulesKey);
  const initial = rule.data
    ? ruleBody(rule.data)
    : { ...emptyRule(), position: known?.length ? Math.max(...known.map((r) => r.position)) + 10 : 10 };
  return <RuleEditor key={id ?? "new"} id={id} initial={initial} catalog={catalog.data} />;
}
