export interface Change {
  /** current - previous, or null when either is missing. */
  delta: number | null;
  /** Relative change (0.1 = +10 %), null when previous is 0 or missing. */
  relative: number | null;
  direction: "up" | "down" | "flat" | null;
  /** true when the change is an improvement, false when worse, null when flat/unknown. */
  improved: boolean | null;
}

/**
 * Change of a KPI versus the previous period of the same length.
 * `higherIsBetter` decides whether an increase is good (CSAT, FCR) or bad
 * (resolution time, reopen rate).
 */
export function computeChange(
  current: number | null | undefined,
  previous: number | null | undefined,
  higherIsBetter = true,
  epsilon = 1e-9,
): Change {
  if (current === null || current === undefined || previous === null || previous === undefined) {
    return { delta: null, relative: null, direction: null, improved: null };
  }
  const delta = current - previous;
  const relative = Math.abs(previous) > epsilon ? delta / Math.abs(previous) : null;
  if (Math.abs(delta) <= epsilon) return { delta: 0, relative: 0, direction: "flat", improved: null };
  const direction = delta > 0 ? "up" : "down";
  return { delta, relative, direction, improved: direction === "up" ? higherIsBetter : !higherIsBetter };
}

export type KpiKind = "rate" | "hours" | "minutes" | "count" | "score";

/** Text of the change: rates in percentage points, everything else relative. */
export function formatChange(
  current: number | null | undefined,
  previous: number | null | undefined,
  kind: KpiKind = "count",
): string | null {
  const c = computeChange(current, previous);
  if (c.delta === null) return null;
  const sign = c.delta > 0 ? "+" : c.delta < 0 ? "−" : "±";
  if (kind === "rate") return `${sign}${Math.abs(c.delta * 100).toFixed(1)} pp`;
  if (c.relative === null) return `${sign}${Math.abs(c.delta).toFixed(kind === "count" ? 0 : 1)}`;
  return `${sign}${Math.abs(c.relative * 100).toFixed(0)} %`;
}
