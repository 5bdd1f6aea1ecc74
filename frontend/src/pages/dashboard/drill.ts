import type { DrillMetric } from "../../api/types";
import type { Range } from "../../lib/period";

export function drillUrl(
  period: Range,
  metric: DrillMetric,
  by: { agent?: string | null; channel?: string | null; team?: string | null } = {},
): string {
  const p = new URLSearchParams({ from: period.from, to: period.to, metric });
  if (by.agent) p.set("agent", by.agent);
  if (by.channel) p.set("channel", by.channel);
  if (by.team) p.set("team", by.team);
  return `/dashboard/drill?${p.toString()}`;
}

export const METRIC_LABEL: Record<DrillMetric, string> = {
  solved: "Solved tickets",
  fcr: "Solved on first contact",
  not_fcr: "Not solved on first contact",
  csat: "CSAT responses",
  reopened: "Reopened tickets",
};
