import dayjs from "dayjs";

export interface Range {
  from: string;
  to: string;
}

/** Last `days` days ending now (ISO, UTC). */
export function lastDays(days: number, now: Date = new Date()): Range {
  const to = dayjs(now);
  return { from: to.subtract(days, "day").toISOString(), to: to.toISOString() };
}

/** The period of the same length immediately before `range`. */
export function previousPeriod(range: Range): Range {
  const from = new Date(range.from).getTime();
  const to = new Date(range.to).getTime();
  const len = to - from;
  return { from: new Date(from - len).toISOString(), to: new Date(from).toISOString() };
}

/** Whole days [from 00:00, to+1 00:00) for date-only inputs (YYYY-MM-DD). */
export function dayRange(fromDate: string, toDate: string): Range {
  return {
    from: dayjs(fromDate).startOf("day").toISOString(),
    to: dayjs(toDate).add(1, "day").startOf("day").toISOString(),
  };
}
