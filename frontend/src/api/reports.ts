import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { CxDrill, CxReport, CxRow, CxTrend, CxTrendPoint, DrillQuery } from "./types";
import { cleanQuery } from "./tickets";

/**
 * The backend reports CSAT (score and its interval) in percent, 0–100, while
 * FCR and reopen rates are fractions 0–1. The UI uses fractions everywhere.
 */
export const CSAT_SCALE = 100;

type Loose = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const interval = (v: unknown, scale = 1): number[] | null =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number") ? v.map((x: number) => x / scale) : null;

/** Normalise one report row (tolerates missing fields). */
export function normalizeRow(raw: Loose): CxRow {
  const fcr = (raw.fcr ?? {}) as Loose;
  const csat = (raw.csat ?? {}) as Loose;
  const score = num(csat.score);
  return {
    agent: (raw.agent as string | null | undefined) ?? null,
    channel: (raw.channel as string | null | undefined) ?? null,
    team: (raw.team as string | null | undefined) ?? null,
    solved: num(raw.solved) ?? 0,
    fcr: {
      eligible: num(fcr.eligible) ?? 0,
      count: num(fcr.count) ?? 0,
      rate: num(fcr.rate),
      ci95: interval(fcr.ci95),
    },
    avg_resolution_hours: num(raw.avg_resolution_hours),
    median_resolution_hours: num(raw.median_resolution_hours),
    p90_resolution_hours: num(raw.p90_resolution_hours),
    first_response_median_minutes: num(raw.first_response_median_minutes),
    reopen_rate: num(raw.reopen_rate),
    csat: {
      responses: num(csat.responses) ?? 0,
      satisfied: num(csat.satisfied) ?? 0,
      score: score === null ? null : score / CSAT_SCALE,
      ci95: interval(csat.ci95, CSAT_SCALE),
      response_rate: num(csat.response_rate),
    },
    low_sample: raw.low_sample === true,
    business: {
      avg_resolution_hours: num(raw.avg_resolution_business_hours),
      median_resolution_hours: num(raw.median_resolution_business_hours),
      p90_resolution_hours: num(raw.p90_resolution_business_hours),
      first_response_median_minutes: num(raw.first_response_median_business_minutes),
    },
    ...(raw.sla && typeof raw.sla === "object" ? { sla: normalizeSla(raw.sla as Loose) } : {}),
  };
}

/** SLA achievement per target (counts and the share met). */
function normalizeSla(raw: Loose): NonNullable<CxRow["sla"]> {
  const target = (v: unknown) => {
    const t = (v ?? {}) as Loose;
    return { measured: num(t.measured) ?? 0, met: num(t.met) ?? 0, missed: num(t.missed) ?? 0, rate: num(t.rate) };
  };
  return {
    first_response: target(raw.first_response),
    next_reply: target(raw.next_reply),
    resolution: target(raw.resolution),
  };
}

export function normalizeReport(raw: unknown): CxReport {
  const r = (raw ?? {}) as Loose;
  return {
    from: String(r.from ?? ""),
    to: String(r.to ?? ""),
    group_by: Array.isArray(r.group_by) ? r.group_by.map(String) : [],
    rows: Array.isArray(r.rows) ? r.rows.map((x) => normalizeRow(x as Loose)) : [],
    totals: normalizeRow((r.totals ?? {}) as Loose),
  };
}

/** Trend points come as full rows (fcr/csat objects) per period. */
export function normalizeTrend(raw: unknown): CxTrend {
  const r = (raw ?? {}) as Loose;
  const points: CxTrendPoint[] = (Array.isArray(r.points) ? r.points : []).map((p: Loose) => {
    const row = normalizeRow(p);
    return {
      period_start: String(p.period_start ?? p.week ?? ""),
      solved: row.solved,
      fcr_rate: num(p.fcr_rate) ?? row.fcr.rate,
      avg_resolution_hours: row.avg_resolution_hours,
      median_resolution_hours: row.median_resolution_hours,
      csat_score: num(p.csat_score) ?? row.csat.score,
      business: {
        avg_resolution_hours: row.business.avg_resolution_hours,
        median_resolution_hours: row.business.median_resolution_hours,
      },
    };
  });
  return { points };
}

export interface Period {
  from: string;
  to: string;
}

export function useCxReport(period: Period, groupBy = "agent,channel") {
  return useQuery({
    queryKey: ["reports", "cx", period.from, period.to, groupBy],
    queryFn: async () =>
      normalizeReport(
        await unwrap(
          api.GET("/api/reports/cx", { params: { query: { from: period.from, to: period.to, group_by: groupBy } } }),
        ),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useCxTrend(period: Period) {
  return useQuery({
    queryKey: ["reports", "trend", period.from, period.to],
    queryFn: async () =>
      normalizeTrend(
        await unwrap(
          api.GET("/api/reports/cx/trend", { params: { query: { from: period.from, to: period.to, interval: "week" } } }),
        ),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useCxDrill(query: DrillQuery) {
  const q = cleanQuery(query);
  return useQuery({
    queryKey: ["reports", "drill", q],
    queryFn: async () => (await unwrap(api.GET("/api/reports/cx/tickets", { params: { query: q } }))) as CxDrill,
    enabled: !!q.from && !!q.to,
  });
}

/** URL of the CSV export for the same report. */
export function cxCsvUrl(period: Period, groupBy = "agent,channel"): string {
  const p = new URLSearchParams({ from: period.from, to: period.to, group_by: groupBy, format: "csv" });
  return `/api/reports/cx?${p.toString()}`;
}

/** The journey funnel over a period: stage entries, exits, transitions, conversion. */
export function useJourneyFunnel(period: Period) {
  return useQuery({
    queryKey: ["reports", "journey", period.from, period.to],
    queryFn: () => unwrap(api.GET("/api/reports/journey", { params: { query: { from: period.from, to: period.to } } })),
    placeholderData: keepPreviousData,
  });
}
