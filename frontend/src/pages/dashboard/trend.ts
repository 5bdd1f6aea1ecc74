import dayjs from "dayjs";
import type { CxTrendPoint } from "../../api/types";

const percent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);
const oneDecimal = (hours: number | null) => (hours === null ? null : Math.round(hours * 10) / 10);

/** One chart row per week: volume, rates in percent, resolution times in hours. */
export function trendData(points: CxTrendPoint[]) {
  return points.map((p) => ({
    week: dayjs(p.period_start).format("MMM D"),
    Solved: p.solved,
    "FCR %": percent(p.fcr_rate),
    "CSAT %": percent(p.csat_score),
    "Avg resolution (h)": oneDecimal(p.avg_resolution_hours),
    "Median resolution (h)": oneDecimal(p.median_resolution_hours),
  }));
}
