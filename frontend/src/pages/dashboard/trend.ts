import dayjs from "dayjs";
import type { CxTrendPoint, HoursMode } from "../../api/types";

const percent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);
const oneDecimal = (hours: number | null) => (hours === null ? null : Math.round(hours * 10) / 10);

/** One chart row per week: volume, rates in percent, resolution times in hours (calendar
 * or business hours: the series keep their names, TrendChart labels the unit). */
export function trendData(points: CxTrendPoint[], mode: HoursMode = "calendar") {
  return points.map((p) => {
    const d = mode === "business" ? p.business : p;
    return {
      week: dayjs(p.period_start).format("MMM D"),
      Solved: p.solved,
      "FCR %": percent(p.fcr_rate),
      "CSAT %": percent(p.csat_score),
      "Avg resolution (h)": oneDecimal(d.avg_resolution_hours),
      "Median resolution (h)": oneDecimal(d.median_resolution_hours),
    };
  });
}
