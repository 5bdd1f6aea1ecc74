/**
 * Automation rules: the rule JSON of ../shared/spec/automation-rules.md, its run log, the
 * editor's catalog (fields, operators, actions with live choices) and the dry run.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { components } from "./schema";
import type { ResponseOf } from "./types";

type Schemas = components["schemas"];

export type Catalog = ResponseOf<"/api/automation/catalog", "get">;
export type CatalogField = Schemas["CatalogField"];
export type CatalogParam = Schemas["CatalogParam"];
export type CatalogAction = Schemas["CatalogAction"];
export type FieldType = CatalogField["type"];
export type RuleRun = ResponseOf<"/api/automation/rules/{rule_id}/runs", "get">[number];
export type ConditionValue = string | number | boolean | string[] | null;

export interface Condition {
  field: string;
  op: string;
  value?: ConditionValue;
}

export type Trigger = { events: string[] } | { every: "minute" };

export interface RuleAction {
  type: string;
  [param: string]: unknown;
}

/** A rule as the spec writes it: the body of POST and of the JSON view. */
export interface RuleBody {
  name: string;
  active: boolean;
  position: number;
  trigger: Trigger;
  conditions: { all: Condition[]; any: Condition[] };
  actions: RuleAction[];
}

/**
 * A rule as the API answers it. The API publishes trigger, conditions and actions as free
 * JSON objects; their shape is the spec's (RuleBody).
 */
export type Rule = Omit<Schemas["RuleOut"], keyof RuleBody> & RuleBody;

export type DryRunResult = ResponseOf<"/api/automation/dry-run", "post">;
export type DryRunItem = DryRunResult["items"][number];

export interface DryRunRequest {
  rule: RuleBody;
  from: string;
  to: string;
}

/** The API types a rule's body as a free JSON object; ours is the spec's shape. */
function json(body: Partial<RuleBody>): Record<string, unknown> {
  return body as Record<string, unknown>;
}

function patchRule(id: number, body: Partial<RuleBody>): Promise<Rule> {
  return unwrap(
    api.PATCH("/api/automation/rules/{rule_id}", { params: { path: { rule_id: id } }, body: json(body) }),
  ) as Promise<Rule>;
}

export const rulesKey = ["automation", "rules"] as const;

export function useRules() {
  return useQuery({
    queryKey: rulesKey,
    queryFn: () => unwrap(api.GET("/api/automation/rules")) as Promise<Rule[]>,
  });
}

export function useRule(id: number | null) {
  return useQuery({
    queryKey: [...rulesKey, id],
    queryFn: () =>
      unwrap(api.GET("/api/automation/rules/{rule_id}", { params: { path: { rule_id: id! } } })) as Promise<Rule>,
    enabled: id !== null,
  });
}

export function useRuleRuns(id: number, limit = 100) {
  return useQuery({
    queryKey: [...rulesKey, id, "runs", limit],
    queryFn: () =>
      unwrap(api.GET("/api/automation/rules/{rule_id}/runs", { params: { path: { rule_id: id }, query: { limit } } })),
    placeholderData: keepPreviousData,
  });
}

export function useCatalog() {
  return useQuery({
    queryKey: ["automation", "catalog"],
    queryFn: () => unwrap(api.GET("/api/automation/catalog")),
    staleTime: 60_000,
  });
}

export function usePatchRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: Partial<RuleBody> }) => patchRule(id, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: rulesKey }),
  });
}

/** The editor's save: POST for a new rule, PATCH of the whole rule otherwise. */
export function useSaveRule(id: number | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RuleBody) =>
      id === null
        ? (unwrap(api.POST("/api/automation/rules", { body: json(body) })) as Promise<Rule>)
        : patchRule(id, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: rulesKey }),
    // The editor shows the 422's field errors beside the fields.
    meta: { silent: true },
  });
}

/** PATCH in turn, then one refresh of the list: a reorder moves several positions. */
export function useMoveRules() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (moves: { id: number; position: number }[]) => {
      for (const m of moves) await patchRule(m.id, { position: m.position });
    },
    onSettled: () => qc.invalidateQueries({ queryKey: rulesKey }),
  });
}

export function useDeleteRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.DELETE("/api/automation/rules/{rule_id}", { params: { path: { rule_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: rulesKey }),
  });
}

export function useDryRun() {
  return useMutation({
    mutationFn: ({ rule, from, to }: DryRunRequest) =>
      unwrap(api.POST("/api/automation/dry-run", { body: { rule: json(rule), from, to } })),
    // The editor shows the 422's field errors beside the fields.
    meta: { silent: true },
  });
}
