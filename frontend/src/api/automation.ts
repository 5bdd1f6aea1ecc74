/**
 * Automation rules: the rule JSON of ../shared/spec/automation-rules.md, its run log, the
 * editor's catalog (fields, operators, actions with live choices) and the dry run.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, getCsrfToken, unwrap } from "./client";
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

export interface DryRunItem {
  ticket_id: number;
  subject: string;
  event: string;
  at: string;
  actions: string[];
}

export interface DryRunResult {
  fired: number;
  tickets: number;
  items: DryRunItem[];
}

export interface DryRunRequest {
  rule: RuleBody;
  from: string;
  to: string;
}

const UNSAFE = new Set(["POST", "PATCH", "DELETE"]);

/**
 * A JSON call to an endpoint the generated schema does not have yet (the dry run), through
 * `unwrap`, so its errors are the same ApiError (problem+json with field errors).
 */
async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json, application/problem+json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const csrf = getCsrfToken();
  if (csrf && UNSAFE.has(method)) headers["X-CSRF-Token"] = csrf;
  const origin = window.location?.origin && window.location.origin !== "null" ? window.location.origin : "http://localhost";
  const request = new Request(new URL(path, origin), {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return unwrap<T>(
    globalThis.fetch(request).then(async (response) => {
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: unwrap turns the text into the problem's detail
      }
      return response.ok ? { data: parsed as T, response } : { error: parsed, response };
    }),
  );
}

function patchRule(id: number, body: Partial<RuleBody>): Promise<Rule> {
  return unwrap(
    api.PATCH("/api/automation/rules/{rule_id}", {
      params: { path: { rule_id: id } },
      body: body as Record<string, unknown>,
    }),
  ) as Promise<Rule>;
}

export const rulesKey = ["automation", "rules"] as const;

export function useRules() {
  return useQuery({ queryKey: rulesKey, queryFn: () => unwrap(api.GET("/api/automation/rules")) as Promise<Rule[]> });
}

export function useRule(id: number | null) {
  return useQuery({
    queryKey: [...rulesKey, id],
    queryFn: () => unwrap(api.GET("/api/automation/rules/{rule_id}", { params: { path: { rule_id: id! } } })) as Promise<Rule>,
    enabled: id !== null,
  });
}

export function useRuleRuns(id: number, limit = 100) {
  return useQuery({
    queryKey: [...rulesKey, id, "runs", limit],
    queryFn: () => unwrap(api.GET("/api/automation/rules/{rule_id}/runs", { params: { path: { rule_id: id }, query: { limit } } })),
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
    mutationFn: ({ id, body }: { id: number; body: Partial<RuleBody> }) =>
      patchRule(id, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: rulesKey }),
  });
}

/** PATCH in turn, then one refresh of the list: a reorder moves several positions. */
/** The editor's save: POST for a new rule, PATCH of the whole rule otherwise. */
export function useSaveRule(id: number | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RuleBody) =>
      id === null
        ? (unwrap(api.POST("/api/automation/rules", { body: body as unknown as Record<string, unknown> })) as Promise<Rule>)
        : patchRule(id, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: rulesKey }),
    // The editor shows the 422's field errors beside the fields.
    meta: { silent: true },
  });
}

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
    mutationFn: (id: number) => unwrap(api.DELETE("/api/automation/rules/{rule_id}", { params: { path: { rule_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: rulesKey }),
  });
}

export function useDryRun() {
  return useMutation({
    mutationFn: (body: DryRunRequest) => call<DryRunResult>("POST", "/api/automation/dry-run", body),
    meta: { silent: true },
  });
}
