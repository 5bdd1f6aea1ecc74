import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Rule, RuleRun } from "../../api/automation";
import { mockFetch, renderWithProviders } from "../../test/utils";
import { rule } from "./fixtures";
import { reorder } from "./rule";
import { RuleRunsPage } from "./RuleRunsPage";
import { RulesPage } from "./RulesPage";

/** A rules API that keeps what is PATCHed, so the refetch after a change shows it. */
function rulesApi(rules: Rule[]) {
  const patches: { id: number; body: Partial<Rule> }[] = [];
  const fetch = mockFetch({
    "GET /api/automation/rules": () => rules,
    ...Object.fromEntries(
      rules.map((r) => [
        `PATCH /api/automation/rules/${r.id}`,
        async (req: Request) => {
          const body = (await req.json()) as Partial<Rule>;
          patches.push({ id: r.id, body });
          Object.assign(r, body);
          return r;
        },
      ]),
    ),
  });
  return { fetch, patches };
}

function names(): string[] {
  return screen.getAllByTestId("rule-row").map((row) => within(row).getAllByRole("link")[0].textContent ?? "");
}

describe("RulesPage", () => {
  it("lists the rules in run order with their state, counts and run log link", async () => {
    rulesApi([
      rule(1, { name: "Late", position: 20, fired_count: 3, last_fired_at: "2026-03-01T09:00:00Z" }),
      rule(2, { name: "Early", position: 5, error_count: 2, active: false, trigger: { every: "minute" } }),
    ]);
    renderWithProviders(<RulesPage />, { route: "/rules", path: "/rules" });
    await screen.findAllByTestId("rule-row");
    expect(names()).toEqual(["Early", "Late"]);
    const [early, late] = screen.getAllByTestId("rule-row");
    expect(early).toHaveTextContent("every minute");
    expect(early).toHaveTextContent("never");
    expect(within(early).getByRole("switch", { name: "Early active" })).not.toBeChecked();
    expect(within(early).getByText("2").closest("a")).toHaveAttribute("href", "/rules/2/runs");
    expect(late).toHaveTextContent("ticket.created");
    expect(late).toHaveTextContent("3");
    expect(within(late).getByRole("switch", { name: "Late active" })).toBeChecked();
    expect(within(late).getByRole("link", { name: "Late" })).toHaveAttribute("href", "/rules/1");
    expect(within(late).getByRole("link", { name: "Run log of Late" })).toHaveAttribute("href", "/rules/1/runs");
  });

  it("says whether the rules keep up with the events", async () => {
    const backlog = (due: number, oldest: string | null) => ({
      checked_at: "2026-03-02T10:00:00Z",
      kinds: [{ kind: "event", due, oldest_due_at: oldest, scheduled: 0, failed: 0, unknown: 0 }],
    });
    mockFetch({ "GET /api/automation/rules": () => [], "GET /api/outbox/backlog": () => backlog(0, null) });
    const { unmount } = renderWithProviders(<RulesPage />, { route: "/rules", path: "/rules" });
    expect(await screen.findByTestId("rules-backlog")).toHaveTextContent("Rules are up to date");
    unmount();

    mockFetch({
      "GET /api/automation/rules": () => [],
      "GET /api/outbox/backlog": () => backlog(12, "2026-03-02T09:55:00Z"),
    });
    renderWithProviders(<RulesPage />, { route: "/rules", path: "/rules" });
    expect(await screen.findByTestId("rules-backlog")).toHaveTextContent(
      "Rules: 12 events due, the oldest for 5 min (is the worker running?).",
    );
  });

  it("switches a rule off with a PATCH", async () => {
    const { patches } = rulesApi([rule(1, { name: "Refunds" })]);
    renderWithProviders(<RulesPage />, { route: "/rules", path: "/rules" });
    await userEvent.setup().click(await screen.findByRole("switch", { name: "Refunds active" }));
    await waitFor(() => expect(patches).toEqual([{ id: 1, body: { active: false } }]));
    await waitFor(() => expect(screen.getByRole("switch", { name: "Refunds active" })).not.toBeChecked());
  });

  it("moves a dragged rule between its new neighbours with one PATCH of its position", async () => {
    const { patches } = rulesApi([rule(1, { name: "A" }), rule(2, { name: "B" }), rule(3, { name: "C" })]);
    renderWithProviders(<RulesPage />, { route: "/rules", path: "/rules" });
    await screen.findAllByTestId("rule-row");
    const rows = screen.getAllByTestId("rule-row");
    fireEvent.dragStart(rows[2]);
    fireEvent.dragOver(rows[0]);
    fireEvent.drop(rows[0]);
    await waitFor(() => expect(names()).toEqual(["C", "A", "B"]));
    await waitFor(() => expect(patches).toEqual([{ id: 3, body: { position: 0 } }]));
  });

  it("moves a rule down with its arrow button, renumbering when there is no gap", async () => {
    const { patches } = rulesApi([
      rule(1, { name: "A", position: 1 }),
      rule(2, { name: "B", position: 2 }),
      rule(3, { name: "C", position: 3 }),
    ]);
    renderWithProviders(<RulesPage />, { route: "/rules", path: "/rules" });
    await userEvent.setup().click(await screen.findByRole("button", { name: "Move A down" }));
    await waitFor(() => expect(names()).toEqual(["B", "A", "C"]));
    await waitFor(() =>
      expect(patches).toEqual([
        { id: 2, body: { position: 10 } },
        { id: 1, body: { position: 20 } },
        { id: 3, body: { position: 30 } },
      ]),
    );
  });
});

describe("reorder", () => {
  const rules = [
    { id: 1, position: 10 },
    { id: 2, position: 20 },
    { id: 3, position: 20 },
  ];
  it("places a rule after the last one with a step of 10", () => {
    expect(reorder(rules, 0, 2)).toEqual([{ id: 1, position: 30 }]);
  });
  it("renumbers when the neighbours tie", () => {
    expect(reorder(rules, 0, 1)).toEqual([
      { id: 2, position: 10 },
      { id: 1, position: 20 },
      { id: 3, position: 30 },
    ]);
  });
});

describe("RuleRunsPage", () => {
  it("shows when, the ticket, the event, the actions and the error of each run", async () => {
    const runs: RuleRun[] = [
      { id: 2, rule_id: 4, at: "2026-03-02T10:00:00Z", ticket_id: 7, event_id: 70, event: "ticket.created", actions: [], error: "agent gone@x not found" },
      { id: 1, rule_id: 4, at: "2026-03-01T10:00:00Z", ticket_id: 6, event_id: 60, event: "ticket.created", actions: ["set priority urgent", "add tags refund"], error: null },
    ];
    mockFetch({
      "GET /api/automation/rules/4": () => rule(4, { name: "Refunds" }),
      "GET /api/automation/rules/4/runs": (_req, url) => (url.searchParams.get("limit") === "100" ? runs : []),
    });
    renderWithProviders(<RuleRunsPage />, { route: "/rules/4/runs", path: "/rules/:id/runs" });
    expect(await screen.findByRole("heading", { name: "Run log: Refunds" })).toBeInTheDocument();
    const [failed, ok] = await screen.findAllByTestId("run-row");
    expect(within(failed).getByRole("link", { name: "#7" })).toHaveAttribute("href", "/tickets/7");
    expect(failed).toHaveTextContent("agent gone@x not found");
    expect(ok).toHaveTextContent("set priority urgent; add tags refund");
    expect(ok).toHaveTextContent("ticket.created");
  });
});
