import { describe, expect, it } from "vitest";
import { normalizeReport, normalizeTrend } from "./reports";

const row = {
  agent: "agent1@desk.example",
  channel: "chat",
  solved: 2,
  fcr: { eligible: 1, count: 1, rate: 1.0, ci95: [0.2065, 1.0] },
  avg_resolution_hours: 8.85,
  median_resolution_hours: 8.85,
  p90_resolution_hours: 12.2,
  csat: { responses: 2, satisfied: 1, score: 50.0, ci95: [9.45, 90.55], surveys_sent: 0, response_rate: null },
  first_response_median_minutes: 578.0,
  reopen_rate: 0.0,
  low_sample: true,
  avg_resolution_business_hours: 2.5,
  median_resolution_business_hours: 2.25,
  p90_resolution_business_hours: 4.0,
  first_response_median_business_minutes: 95.0,
};

describe("report normalisation", () => {
  it("keeps fractions and converts CSAT percent to a fraction", () => {
    const r = normalizeReport({ from: "a", to: "b", group_by: ["agent", "channel"], rows: [row], totals: row });
    expect(r.rows[0].fcr.rate).toBe(1);
    expect(r.rows[0].csat.score).toBeCloseTo(0.5);
    expect(r.rows[0].csat.ci95?.[1]).toBeCloseTo(0.9055);
    expect(r.totals.low_sample).toBe(true);
  });

  it("keeps the business-hours durations beside the calendar ones", () => {
    const r = normalizeReport({ rows: [row], totals: row });
    expect(r.rows[0].avg_resolution_hours).toBe(8.85);
    expect(r.rows[0].business).toEqual({
      avg_resolution_hours: 2.5,
      median_resolution_hours: 2.25,
      p90_resolution_hours: 4.0,
      first_response_median_minutes: 95.0,
    });
    expect(normalizeReport({ rows: [{}] }).rows[0].business.avg_resolution_hours).toBeNull();
  });

  it("tolerates missing fields", () => {
    const r = normalizeReport({ rows: [{}] });
    expect(r.rows[0]).toMatchObject({ solved: 0, fcr: { rate: null }, csat: { score: null }, low_sample: false });
    expect(r.totals.avg_resolution_hours).toBeNull();
  });

  it("reads trend points given as full rows", () => {
    const t = normalizeTrend({ points: [{ ...row, period_start: "2026-10-26" }] });
    expect(t.points[0]).toEqual({
      period_start: "2026-10-26",
      solved: 2,
      fcr_rate: 1,
      avg_resolution_hours: 8.85,
      median_resolution_hours: 8.85,
      csat_score: 0.5,
      business: { avg_resolution_hours: 2.5, median_resolution_hours: 2.25 },
    });
  });
});
