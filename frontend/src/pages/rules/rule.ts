/** Pure helpers of the rule editor and list: value kinds, defaults, JSON parsing, reordering. */
import type { Catalog, CatalogField, CatalogParam, Condition, ConditionValue, DryRunResult, Rule, RuleAction, RuleBody } from "../../api/automation";
import { counted } from "../../lib/format";

export const CONDITION_GROUPS = ["all", "any"] as const;
export type ConditionGroup = (typeof CONDITION_GROUPS)[number];

export function emptyRule(): RuleBody {
  return {
    name: "",
    active: true,
    position: 0,
    trigger: { events: ["ticket.created"] },
    conditions: { all: [], any: [] },
    actions: [],
  };
}

/** The rule's own JSON (the spec's keys), without the server's bookkeeping. */
export function ruleBody(rule: Rule): RuleBody {
  const { name, active, position, trigger, conditions, actions } = rule;
  return { name, active, position, trigger, conditions, actions };
}

export function ruleJson(rule: RuleBody): string {
  return JSON.stringify(rule, null, 2);
}

/** How a condition's value is picked, from its field's type and its operator. */
export type ValueKind = "none" | "field" | "list" | "choice" | "number" | "bool" | "text";

const NO_VALUE = new Set(["present", "blank", "changed"]);
const LIST_OPS = new Set(["in", "not_in"]);

/**
 * A web form's optional field, `ticket.form.<name>`: a text field of any name the form
 * posts (automation/rules/fields.py), so the catalog cannot list them.
 */
export const FORM_PREFIX = "ticket.form.";
export const FORM_KEY = /^[a-z][a-z0-9_]{0,39}$/;

export function isFormField(name: string): boolean {
  return name.startsWith(FORM_PREFIX);
}

export function fieldOf(catalog: Catalog, name: string): CatalogField | undefined {
  return catalog.fields.find((f) => f.name === name) ?? (isFormField(name) ? { name, type: "text" } : undefined);
}

export function operatorsFor(catalog: Catalog, fieldName: string): string[] {
  const field = fieldOf(catalog, fieldName);
  return field ? (catalog.operators[field.type] ?? []) : [];
}

export function valueKind(catalog: Catalog, condition: Pick<Condition, "field" | "op">): ValueKind {
  // event.changes names the changed field in its value (spec: "a field name in value").
  if (condition.field === "event.changes") return "field";
  if (NO_VALUE.has(condition.op)) return "none";
  const field = fieldOf(catalog, condition.field);
  if (LIST_OPS.has(condition.op)) return "list";
  if (condition.op === "matches") return "text";
  switch (field?.type) {
    case "number":
      return "number";
    case "bool":
      return "bool";
    case "set":
      // A set contains one tag; is / is_not compare the whole set.
      return condition.op === "contains" || condition.op === "not_contains" ? "text" : "list";
    case "choice":
      return field.choices?.length ? "choice" : "text";
    default:
      return "text";
  }
}

export function defaultValue(kind: ValueKind): ConditionValue | undefined {
  switch (kind) {
    case "none":
      return undefined;
    case "list":
      return [];
    case "bool":
      return true;
    case "number":
      return null;
    default:
      return "";
  }
}

function valueFits(kind: ValueKind, value: ConditionValue | undefined): boolean {
  switch (kind) {
    case "none":
      return value === undefined;
    case "list":
      return Array.isArray(value);
    case "number":
      return typeof value === "number" || value === null;
    case "bool":
      return typeof value === "boolean";
    default:
      return typeof value === "string";
  }
}

function withValue(condition: Condition, kind: ValueKind): Condition {
  const { value, ...rest } = condition;
  if (valueFits(kind, value)) return condition;
  const fresh = defaultValue(kind);
  return fresh === undefined ? rest : { ...rest, value: fresh };
}

export function newCondition(catalog: Catalog): Condition {
  return changeField(catalog, { field: "", op: "" }, catalog.fields[0]?.name ?? "");
}

/** A new field keeps the operator when the field's type allows it, else takes its first. */
export function changeField(catalog: Catalog, condition: Condition, field: string): Condition {
  const ops = operatorsFor(catalog, field);
  const op = ops.includes(condition.op) ? condition.op : (ops[0] ?? "");
  const next = { ...condition, field, op };
  return withValue(next, valueKind(catalog, next));
}

export function changeOperator(catalog: Catalog, condition: Condition, op: string): Condition {
  const next = { ...condition, op };
  return withValue(next, valueKind(catalog, next));
}

/** Parameter types the catalog gives for a list of strings. */
export const LIST_PARAM_TYPES = new Set(["list", "set"]);

/**
 * A new action of a type: choices start at the first, lists empty; the other parameters
 * are left out until filled in, so an optional one is not sent as "" (the server names a
 * required one that is missing).
 */
export function newAction(catalog: Catalog, type: string): RuleAction {
  const spec = catalog.actions.find((a) => a.type === type);
  const action: RuleAction = { type };
  for (const p of spec?.params ?? []) {
    if (LIST_PARAM_TYPES.has(p.type)) action[p.name] = [];
    else if (p.choices?.length) action[p.name] = p.choices[0];
  }
  return action;
}

/** The choices of an action's parameter; a `set` action's value takes those of the field it sets. */
export function paramChoices(catalog: Catalog, action: RuleAction, param: CatalogParam): string[] {
  if (action.type === "set" && param.name === "value" && typeof action.field === "string") {
    return fieldOf(catalog, `ticket.${action.field}`)?.choices ?? [];
  }
  return param.choices ?? [];
}

export type Parsed = { rule: RuleBody; error?: undefined } | { rule?: undefined; error: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The JSON view's text as a rule the builder can show. Only the shape the builder needs is
 * checked here; the server judges the rest (and names the field in its 422).
 */
export function parseRule(text: string): Parsed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { error: `Invalid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!isObject(raw)) return { error: "The rule must be a JSON object." };
  const trigger = raw.trigger;
  if (!isObject(trigger) || !(Array.isArray(trigger.events) || "every" in trigger)) {
    return { error: 'trigger must be {"events": [...]} or {"every": "minute"}.' };
  }
  const conditions = raw.conditions ?? { all: [], any: [] };
  if (!isObject(conditions)) return { error: "conditions must be an object with all and any." };
  for (const group of CONDITION_GROUPS) {
    const list = conditions[group] ?? [];
    if (!Array.isArray(list)) return { error: `conditions.${group} must be a list.` };
    const bad = list.findIndex((c) => !isObject(c) || typeof c.field !== "string" || typeof c.op !== "string");
    if (bad >= 0) return { error: `conditions.${group}[${bad}] needs a field and an op.` };
  }
  const actions = raw.actions ?? [];
  if (!Array.isArray(actions)) return { error: "actions must be a list." };
  const bad = actions.findIndex((a) => !isObject(a) || typeof a.type !== "string");
  if (bad >= 0) return { error: `actions[${bad}] needs a type.` };
  return {
    rule: {
      ...(raw as unknown as RuleBody),
      conditions: { all: [], any: [], ...conditions } as RuleBody["conditions"],
      actions: actions as RuleAction[],
    },
  };
}

/** Rules in the order they run: ascending position, ties by id. */
export function runOrder<T extends { id: number; position: number }>(rules: readonly T[]): T[] {
  return [...rules].sort((a, b) => a.position - b.position || a.id - b.id);
}

const STEP = 10;

/**
 * The position changes that move the rule at `from` to `to` (indexes into the run order).
 * One PATCH when the moved rule fits between its new neighbours; else the list is numbered
 * again in steps of 10 and only the rules whose position changes are returned.
 */
export function reorder<T extends { id: number; position: number }>(
  rules: readonly T[],
  from: number,
  to: number,
): { id: number; position: number }[] {
  if (from === to) return [];
  const order = runOrder(rules);
  const [moved] = order.splice(from, 1);
  order.splice(to, 0, moved);
  const before = order[to - 1]?.position;
  const after = order[to + 1]?.position;
  const fits = (p: number) => (before === undefined || p > before) && (after === undefined || p < after) && p >= 0;
  const candidate =
    before === undefined ? after! - STEP : after === undefined ? before + STEP : Math.floor((before + after) / 2);
  if (fits(candidate)) return [{ id: moved.id, position: candidate }];
  return order.flatMap((r, i) => (r.position === (i + 1) * STEP ? [] : [{ id: r.id, position: (i + 1) * STEP }]));
}

/** The JSON paths the editor shows beside a field; a server error on any other path goes on top. */
export function placedPaths(rule: RuleBody, catalog: Catalog): Set<string> {
  const paths = new Set(["name", "active", "position", "trigger", "trigger.events", "trigger.every", "conditions"]);
  for (const group of CONDITION_GROUPS) {
    paths.add(`conditions.${group}`);
    rule.conditions[group].forEach((_, i) => {
      for (const part of ["", ".field", ".op", ".value"]) paths.add(`conditions.${group}[${i}]${part}`);
    });
  }
  paths.add("actions");
  rule.actions.forEach((a, i) => {
    paths.add(`actions[${i}]`);
    paths.add(`actions[${i}].type`);
    for (const p of catalog.actions.find((c) => c.type === a.type)?.params ?? []) paths.add(`actions[${i}].${p.name}`);
  });
  return paths;
}

/** "Would have fired 42 times on 40 tickets"; a rule on customers' events (a new
 * customer, a lead from no ticket) fires on none. */
export function dryRunSummary(r: DryRunResult): string {
  const fired = `Would have fired ${counted(r.fired, "time", "times")}`;
  if (r.fired > 0 && r.tickets === 0) return `${fired}, on customers' events (no ticket)`;
  return `${fired} on ${counted(r.tickets, "ticket", "tickets")}`;
}
