import dayjs from "dayjs";
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { dayRange, previousPeriod, type Range } from "../../lib/period";

export const PRESETS = [7, 30, 90] as const;

export interface PeriodState {
  /** 7 | 30 | 90, or null for a custom range. */
  days: number | null;
  /** Inclusive date-only bounds (YYYY-MM-DD). */
  fromDate: string;
  toDate: string;
  current: Range;
  previous: Range;
  label: string;
}

function presetRange(days: number): { fromDate: string; toDate: string } {
  const today = dayjs().startOf("day");
  return { fromDate: today.subtract(days - 1, "day").format("YYYY-MM-DD"), toDate: today.format("YYYY-MM-DD") };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Period picker state in the URL: ?days=30 or ?from=YYYY-MM-DD&to=YYYY-MM-DD. */
export function usePeriod() {
  const [sp, setSp] = useSearchParams();
  const state: PeriodState = useMemo(() => {
    const from = sp.get("from");
    const to = sp.get("to");
    let days: number | null = Number(sp.get("days") ?? 30);
    let fromDate: string;
    let toDate: string;
    if (from && to && DATE.test(from) && DATE.test(to) && !sp.get("days")) {
      days = null;
      [fromDate, toDate] = from <= to ? [from, to] : [to, from];
    } else {
      if (!PRESETS.includes(days as (typeof PRESETS)[number])) days = 30;
      ({ fromDate, toDate } = presetRange(days));
    }
    const current = dayRange(fromDate, toDate);
    const length = dayjs(toDate).diff(dayjs(fromDate), "day") + 1;
    return {
      days,
      fromDate,
      toDate,
      current,
      previous: previousPeriod(current),
      label: days ? `previous ${days} days` : `previous ${length} days`,
    };
  }, [sp]);

  const setPreset = useCallback((days: number) => setSp({ days: String(days) }, { replace: true }), [setSp]);
  const setCustom = useCallback(
    (fromDate: string, toDate: string) => setSp({ from: fromDate, to: toDate }, { replace: true }),
    [setSp],
  );
  return { ...state, setPreset, setCustom };
}
