/**
 * Automation rules: the rule JSON of ../shared/spec/automation-rules.md, its run log, the
 * editor's catalog (fields, operators, actions with live choices) and the dry run.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getCsrfToken, unwrap } from "./client";

export type FieldType = "choice" | "text" | "number" | "set" | "bool";
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

export interface Rule extends RuleBody {
  id: number;
  created_at: string;
  updated_at: string;
  last_fired_at: string | null;
  fired_count: number;
  error_count: number;
}

export interface RuleRun {
  id: number;
  rule_id: number;
  at: string;
  ticket_id: number | null;
  event_id: number | null;
  event: string;
  actions: string[];
  error: string | null;
}

export interface CatalogField {
  name: string;
  type: FieldType;
  choices?: string[];
}

export interface CatalogParam {
  name: string;
  type: string;
  choices?: string[];
}

export interface CatalogAction {
  type: string;
  label: string;
  params: CatalogParam[];
}

export interface Catalog {
  events: string[];
  fields: CatalogField[];
  operators: Record<string, string[]>;
  actions: CatalogAction[];
}

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
 * One JSON call through `unwrap`, so errors are the same ApiError (problem+json with
 * field errors) as the typed client's.
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

export const rulesKey = ["automation", "rules"] as const;

export function useRules() {
  return useQuery({ queryKey: rulesKey, queryFn: () => call<Rule[]>("GET", "/api/automation/rules") });
}

export function useRule(id: number | null) {
  return useQuery({
    queryKey: [...rulesKey, id],
    queryFn: () => call<Rule>("GET", `/api/automation/rules/${id}`),
    enabled: id !== null,
  });
}

export function useRuleRuns(id: number, limit = 100) {
  return useQuery({
    queryKey: [...rulesKey, id, "runs", limit],
    queryFn: () => call<RuleRun[]>("GET", `/api/automation/rules/${id}/runs?limit=${limit}`),
    placeholderData: keepPreviousData,
  });
}

export function useCatalog() {
  return useQuery({
    queryKey: ["automation", "catalog"],
    queryFn: () => call<Catalog>("GET", "/api/automation/catalog"),
    staleTime: 60_000,
  });
}

export function usePatchRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: Partial<RuleBody> }) =>
      call<Rule>("PATCH", `/api/automation/rules/${id}`, body),
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
        ? call<Rule>("POST", "/api/automation/rules", body)
        : call<Rule>("PATCH", `/api/automation/rules/${id}`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: rulesKey }),
    // The editor shows the 422's field errors beside the fields.
    meta: { silent: true },
  });
}

export function useMoveRules() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (moves: { id: number; position: number }[]) => {
      for (const m of moves) await call<Rule>("PATCH", `/api/automation/rules/${m.id}`, { position: m.position });
    },
    onSettled: () => qc.invalidateQueries({ queryKey: rulesKey }),
  });
}

export function useDeleteRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => call<void>("DELETE", `/api/automation/rules/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: rulesKey }),
  });
}

export function useDryRun() {
  return useMutation({
    mutationFn: (body: DryRunRequest) => call<DryRunResult>("POST", "/api/automation/dry-run", body),
    meta: { silent: true },
  });
}
