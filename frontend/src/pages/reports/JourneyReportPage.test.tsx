import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { calls, mockFetch, renderWithProviders } from "../../test/utils";
import { JourneyReportPage } from "./JourneyReportPage";

const stage = (name: string, next: string | null, entered: number, converted: number | null, rate: number | null) => ({
  stage: name,
  entered,
  left: 1,
  next_stage: next,
  customers_entered: entered,
  converted_to_next: converted,
  conversion_to_next: rate,
});

describe("JourneyReportPage", () => {
  it("asks for the period and shows entries, conversion and transitions per stage", async () => {
    const fetch = mockFetch({
      "GET /api/reports/journey": () => ({
        period_start: "2026-03-01T00:00:00Z",
        period_end: "2026-03-08T00:00:00Z",
        changes: 5,
        stages: [stage("awareness", "consideration", 3, 2, 0.6667), stage("consideration", "purchase", 2, 0, 0), stage("churned", null, 1, null, null)],
        transitions: [
          { from_stage: null, to_stage: "awareness", count: 3 },
          { from_stage: "awareness", to_stage: "consideration", count: 2 },
        ],
      }),
    });
    renderWithProviders(<JourneyReportPage />, { route: "/reports/journey?days=7", path: "/reports/journey" });

    const rows = await screen.findAllByTestId("funnel-stage");
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent("67 % → consideration");
    expect(rows[0]).toHaveTextContent("(2 of 3)");
    expect(rows[1]).toHaveTextContent("0 % → purchase");
    expect(rows[2]).toHaveTextContent("last stage");
    expect(screen.getByText("Funnel (5 stage changes)")).toBeInTheDocument();
    const transitions = screen.getByTestId("journey-transitions");
    expect(within(transitions).getByText("(no stage)")).toBeInTheDocument();

    const [request] = calls(fetch);
    const url = new URL(request.url);
    const days = (new Date(url.searchParams.get("to")!).getTime() - new Date(url.searchParams.get("from")!).getTime()) / 86_400_000;
    expect(Math.round(days)).toBe(7);
  });

  it("says so when nothing moved in the period", async () => {
    mockFetch({
      "GET /api/reports/journey": () => ({
        period_start: "2026-03-01T00:00:00Z",
        period_end: "2026-03-08T00:00:00Z",
        changes: 0,
        stages: [stage("awareness", "consideration", 0, 0, null)],
        transitions: [],
      }),
    });
    renderWithProviders(<JourneyReportPage />, { route: "/reports/journey", path: "/reports/journey" });
    expect(await screen.findByText("No stage changes in this period")).toBeInTheDocument();
    expect(screen.getByTestId("funnel-stage")).toHaveTextContent("–");
  });
});
