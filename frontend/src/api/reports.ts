import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { CxDrill, CxReport, CxTrend, DrillQuery } from "./types";
import { cleanQuery } from "./tickets";

export interface Period {
  from: string;
  to: string;
}

export function useCxReport(period: Period, groupBy = "agent,channel") {
  return useQuery({
    queryKey: ["reports", "cx", period.from, period.to, groupBy],
    queryFn: async () =>
      (await unwrap(
        api.GET("/api/reports/cx", { params: { query: { from: period.from, to: period.to, group_by: groupBy } } }),
      )) as CxReport,
    placeholderData: keepPreviousData,
  });
}

export function useCxTrend(period: Period) {
  return useQuery({
    queryKey: ["reports", "trend", period.from, period.to],
    queryFn: async () =>
      (await unwrap(
        api.GET("/api/reports/cx/trend", { params: { query: { from: period.from, to: period.to, interval: "week" } } }),
      )) as unknown as CxTrend,
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
