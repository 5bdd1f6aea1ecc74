import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { CxTrendPoint } from "../../api/types";
import { renderWithProviders } from "../../test/utils";
import { TrendChart } from "./TrendChart";
import { trendData } from "./trend";

const point: CxTrendPoint = {
  period_start: "2026-10-26",
  solved: 12,
  fcr_rate: 0.6667,
  avg_resolution_hours: 8.849,
  median_resolution_hours: 5.25,
  csat_score: null,
  business: { avg_resolution_hours: 3.04, median_resolution_hours: 2.96 },
};

describe("TrendChart", () => {
  it("charts resolution time in hours next to volume, rates in percent", () => {
    expect(trendData([point])).toEqual([
      {
        week: "Oct 26",
        Solved: 12,
        "FCR %": 66.7,
        "CSAT %": null,
        "Avg resolution (h)": 8.8,
        "Median resolution (h)": 5.3,
      },
    ]);
  });

  it("charts business hours under the same series when the lead switches to them", () => {
    const [row] = trendData([point], "business");
    expect(row["Avg resolution (h)"]).toBe(3);
    expect(row["Median resolution (h)"]).toBe(3);
    expect(row.Solved).toBe(12);
    renderWithProviders(<TrendChart points={[point]} mode="business" />);
    expect(screen.getByRole("img", { name: /resolution time in business hours/ })).toBeInTheDocument();
  });

  it("names the resolution trend for screen readers", () => {
    renderWithProviders(<TrendChart points={[point]} />);
    expect(screen.getByRole("img", { name: /average and median resolution time/ })).toBeInTheDocument();
  });
});
