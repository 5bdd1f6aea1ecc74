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
