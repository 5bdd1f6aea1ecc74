import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { calls, mockFetch, renderWithProviders } from "../../test/utils";
import { DashboardPage } from "./DashboardPage";

function row(over: Record<string, unknown> = {}) {
  return {
    solved: 10,
    fcr: { eligible: 10, count: 5, rate: 0.5, ci95: [0.2, 0.8] },
    avg_resolution_hours: 10,
    median_resolution_hours: 8,
    p90_resolution_hours: 20,
    first_response_median_minutes: 30,
    reopen_rate: 0.1,
    csat: { responses: 4, satisfied: 3, score: 75, ci95: [30, 95], response_rate: null },
    low_sample: false,
    avg_resolution_business_hours: 4,
    median_resolution_business_hours: 3,
    p90_resolution_business_hours: 6.5,
    first_response_median_business_minutes: 12,
    ...over,
  };
}

describe("DashboardPage", () => {
  beforeEach(() => window.localStorage.clear());

  it("fetches the period and the previous one and shows the change", async () => {
    const fetch = mockFetch({
      "GET /api/reports/cx": (_req, url) => {
        const current = new Date(url.searchParams.get("to")!).getTime() > Date.now() - 86_400_000;
        const totals = current ? row({ fcr: { eligible: 10, count: 6, rate: 0.6, ci95: [0.3, 0.85] } }) : row();
        return {
          from: url.searchParams.get("from"),
          to: url.searchParams.get("to"),
          group_by: ["agent", "channel"],
          rows: [{ ...totals, agent: "ada@example.com", channel: "email", low_sample: true }],
          totals,
        };
      },
      "GET /api/reports/cx/trend": () => ({ points: [] }),
      "GET /api/agents": () => [
        { id: 1, email: "ada@example.com", name: "Ada Agent", role: "agent", team_id: null, active: true },
      ],
    });
    renderWithProviders(<DashboardPage />, { route: "/dashboard?days=7", path: "/dashboard" });

    const cards = await screen.findAllByTestId("kpi-card");
    expect(cards[0]).toHaveTextContent("60 %");
    await waitFor(() => expect(cards[0]).toHaveTextContent("+10.0 pp"));
    expect(cards[1]).toHaveTextContent("75 %"); // CSAT percent from the API shown as a fraction

    const reports = calls(fetch).filter((r) => new URL(r.url).pathname === "/api/reports/cx");
    const ranges = reports.map((r) => {
      const u = new URL(r.url);
      return [new Date(u.searchParams.get("from")!).getTime(), new Date(u.searchParams.get("to")!).getTime()];
    });
    expect(ranges).toHaveLength(2);
    const [cur, prev] = ranges[0][0] > ranges[1][0] ? ranges : [ranges[1], ranges[0]];
    expect(prev[1]).toBe(cur[0]);
    expect(cur[1] - cur[0]).toBe(prev[1] - prev[0]);
    expect(Math.round((cur[1] - cur[0]) / 86_400_000)).toBe(7);

    expect(screen.getByText("Low sample")).toBeInTheDocument();
    // Agents by name, the email on hover.
    const agent = await screen.findByText("Ada Agent");
    expect(agent).toHaveAttribute("title", "ada@example.com");
    expect(screen.queryByText("ada@example.com")).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: /Export CSV/ }).getAttribute("href")).toContain("format=csv");
  });

  it("switches resolution and response times between calendar and business hours", async () => {
    mockFetch({
      "GET /api/reports/cx": (_req, url) => ({
        from: url.searchParams.get("from"),
        to: url.searchParams.get("to"),
        group_by: ["agent", "channel"],
        rows: [{ ...row(), agent: "ada@example.com", channel: "email" }],
        totals: row(),
      }),
      "GET /api/reports/cx/trend": () => ({ points: [] }),
    });
    renderWithProviders(<DashboardPage />, { route: "/dashboard?days=7", path: "/dashboard" });

    const card = async (label: RegExp) =>
      (await screen.findAllByTestId("kpi-card")).find((c) => label.test(c.textContent ?? ""))!;
    expect(await card(/Avg resolution time/)).toHaveTextContent("10.0 h");
    expect(await card(/Avg resolution time/)).toHaveTextContent("P90 20.0 h");
    expect(await card(/First response/)).toHaveTextContent("30 min");
    const agentRow = screen.getAllByTestId("cx-row")[0];
    expect(within(agentRow).getByText("8.0 h")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("radio", { name: "Business hours" }));

    const avg = await card(/Avg resolution time \(business hours\)/);
    expect(avg).toHaveTextContent("4.0 h");
    expect(avg).toHaveTextContent("P90 6.5 h");
    expect(await card(/Median resolution time \(business hours\)/)).toHaveTextContent("3.0 h");
    expect(await card(/First response \(median\) \(business hours\)/)).toHaveTextContent("12 min");
    const businessRow = screen.getAllByTestId("cx-row")[0];
    expect(within(businessRow).getByText("3.0 h")).toBeInTheDocument();
    expect(within(businessRow).queryByText("8.0 h")).not.toBeInTheDocument();
    expect(screen.getByText(/business hours \(each team's schedule\)/)).toBeInTheDocument();
    // Counts and rates do not depend on the hours.
    expect(await card(/First contact resolution/)).toHaveTextContent("50 %");
    expect(window.localStorage.getItem("dashboard-hours")).toContain("business");

    await userEvent.click(screen.getByRole("radio", { name: "Calendar hours" }));
    expect(await card(/Avg resolution time/)).toHaveTextContent("10.0 h");
  });

  it("shows SLA achievement with its counts, per agent and channel", async () => {
    const sla = {
      first_response: { measured: 5, met: 4, missed: 1, rate: 0.8 },
      next_reply: { measured: 0, met: 0, missed: 0, rate: null },
      resolution: { measured: 4, met: 3, missed: 1, rate: 0.75 },
    };
    mockFetch({
      "GET /api/reports/cx": (_req, url) => ({
        from: url.searchParams.get("from"),
        to: url.searchParams.get("to"),
        group_by: ["agent", "channel"],
        rows: [{ ...row({ sla }), agent: "ada@example.com", channel: "email" }],
        totals: row({ sla }),
      }),
      "GET /api/reports/cx/trend": () => ({ points: [] }),
    });
    renderWithProviders(<DashboardPage />, { route: "/dashboard?days=7", path: "/dashboard" });

    const card = (await screen.findAllByTestId("kpi-card")).find((c) => c.textContent?.includes("SLA met"));
    expect(card).toHaveTextContent("80 %");
    expect(card).toHaveTextContent("4/5 met");
    expect(card).toHaveTextContent("resolution 75 %");
    const cells = screen.getAllByTestId("sla-met");
    expect(cells[0]).toHaveTextContent("FR 80 % · Res 75 %");
  });
});
