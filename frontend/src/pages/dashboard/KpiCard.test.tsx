import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderWithProviders } from "../../test/utils";
import { KpiCard } from "./KpiCard";

describe("KpiCard", () => {
  it("shows the change versus the previous period as an improvement", () => {
    renderWithProviders(
      <KpiCard label="FCR" display="80 %" current={0.8} previous={0.7} kind="rate" periodLabel="previous 30 days" />,
    );
    expect(screen.getByTestId("kpi-value")).toHaveTextContent("80 %");
    expect(screen.getByTestId("kpi-change")).toHaveTextContent("+10.0 pp");
    expect(screen.getByText(/vs previous 30 days/)).toHaveTextContent("(better)");
  });

  it("marks a rise in a lower-is-better KPI as worse", () => {
    renderWithProviders(
      <KpiCard
        label="Avg resolution"
        display="12.0 h"
        current={12}
        previous={8}
        higherIsBetter={false}
        kind="hours"
        periodLabel="previous 7 days"
      />,
    );
    expect(screen.getByTestId("kpi-change")).toHaveTextContent("+50 %");
    expect(screen.getByText(/vs previous 7 days/)).toHaveTextContent("(worse)");
  });

  it("says so when the previous period has no data", () => {
    renderWithProviders(<KpiCard label="CSAT" display="90 %" current={0.9} previous={null} periodLabel="previous 7 days" />);
    expect(screen.getByTestId("kpi-change")).toHaveTextContent("No data for previous 7 days");
  });

  it("links to the drill-down when given a target", () => {
    renderWithProviders(
      <KpiCard label="Volume" display="5" current={5} previous={4} periodLabel="previous 7 days" to="/dashboard/drill?metric=solved" />,
    );
    expect(screen.getByRole("link", { name: /^Volume: 5 / })).toHaveAttribute("href", "/dashboard/drill?metric=solved");
  });
});
