import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Lead } from "../../api/sales";
import type { TicketDetail } from "../../api/types";
import { calls, mockFetch, renderWithProviders } from "../../test/utils";
import { boardColumns } from "./board";
import { historyText } from "./history";
import { LeadCard } from "./LeadCard";
import { LeadPage } from "./LeadPage";
import { LeadReportPage } from "./LeadReportPage";
import { LeadsBoardPage } from "./LeadsBoardPage";

const STAGES = { stages: ["new", "qualified", "proposal", "won", "lost"], open: ["new", "qualified", "proposal"], closed: ["won", "lost"], currency: "EUR" };

function lead(id: number, stage: string, value: number, extra: Partial<Lead> = {}): Lead {
  return {
    id,
    customer_id: 100 + id,
    customer_name: `Customer ${id}`,
    customer_email: `c${id}@mail.example`,
    source_channel: "email",
    source_ticket_id: 7,
    stage,
    value,
    currency: "EUR",
    owner_id: 1,
    owner_name: "Ada Agent",
    team_id: null,
    expected_close_date: null,
    lost_reason: "",
    campaign_id: null,
    merged_into: null,
    open: !["won", "lost"].includes(stage),
    created_at: "2026-11-01T10:00:00Z",
    updated_at: "2026-11-01T10:00:00Z",
    stage_changed_at: "2026-11-01T10:00:00Z",
    closed_at: null,
    history: null,
    created: null,
    ...extra,
  };
}

describe("boardColumns", () => {
  it("puts each lead in its stage's column and sums the values per currency without float drift", () => {
    const columns = boardColumns(STAGES.stages, [
      lead(1, "new", 0.1),
      lead(2, "new", 300, { currency: "USD" }),
      lead(3, "new", 0.2),
      lead(4, "won", 5),
      lead(5, "won", 0, { currency: "CHF" }),
    ]);
    expect(columns.map((c) => [c.stage, c.leads.length, c.total])).toEqual([
      [
        "new",
        3,
        [
          { currency: "EUR", amount: 0.3 },
          { currency: "USD", amount: 300 },
        ],
      ],
      ["qualified", 0, []],
      ["proposal", 0, []],
      // A lead worth 0 still names its currency, as in the lead report.
      [
        "won",
        2,
        [
          { currency: "CHF", amount: 0 },
          { currency: "EUR", amount: 5 },
        ],
      ],
      ["lost", 0, []],
    ]);
  });
});

describe("historyText", () => {
  it("says what each line did", () => {
    const base = { lead_id: 5, actor_kind: "agent", actor_label: "ada", at: "2026-11-01T10:00:00Z", changes: {} };
    expect(historyText({ ...base, kind: "stage", from_stage: "new", to_stage: "qualified" }, 5)).toBe(
      "Moved from New to Qualified",
    );
    expect(
      historyText({ ...base, kind: "changed", from_stage: null, to_stage: null, changes: { value: [0, 800] } }, 5),
    ).toBe("value: 0 → 800");
    expect(historyText({ ...base, kind: "created", from_stage: null, to_stage: "new" }, 9)).toBe(
      "Created in New (lead 5)",
    );
  });
});

describe("LeadsBoardPage", () => {
  it("shows a column per stage with each currency's total, and a dropped card moves its lead", async () => {
    const fetch = mockFetch({
      "GET /api/leads/stages": () => STAGES,
      "GET /api/leads": () => ({
        items: [
          lead(1, "new", 1000),
          lead(2, "new", 250.5),
          lead(4, "new", 300, { currency: "USD" }),
          lead(3, "proposal", 40, { currency: "USD" }),
        ],
      }),
      "POST /api/leads/1/stage": () => lead(1, "qualified", 1000),
    });
    renderWithProviders(<LeadsBoardPage />);
    // Never "1,550.5 EUR": a USD value is not added to the EUR ones, nor labelled in the desk's EUR.
    expect(await screen.findByTestId("total-new")).toHaveTextContent(/^€1,250\.50 · \$300\.00$/);
    expect(screen.getByTestId("total-proposal")).toHaveTextContent(/^\$40\.00$/);
    expect(screen.getByTestId("total-won")).toHaveTextContent(/^—$/);
    expect(within(screen.getByTestId("column-new")).getAllByTestId("lead-card")).toHaveLength(3);

    const card = within(screen.getByTestId("column-new")).getByText("Customer 1").closest("[draggable]")!;
    const data = new Map<string, string>();
    const dataTransfer = {
      setData: (k: string, v: string) => data.set(k, v),
      getData: (k: string) => data.get(k) ?? "",
      effectAllowed: "",
    };
    fireEvent.dragStart(card, { dataTransfer });
    fireEvent.dragOver(screen.getByTestId("column-qualified"), { dataTransfer });
    fireEvent.drop(screen.getByTestId("column-qualified"), { dataTransfer });
    await waitFor(() => expect(calls(fetch).some((r) => r.method === "POST")).toBe(true));
    const post = calls(fetch).find((r) => r.method === "POST")!;
    expect(new URL(post.url).pathname).toBe("/api/leads/1/stage");
    expect(await post.clone().json()).toEqual({ stage: "qualified" });
  });
});

describe("LeadPage", () => {
  it("saves only the changed fields and shows the history", async () => {
    const history = [
      { lead_id: 4, kind: "created", from_stage: null, to_stage: "new", changes: {}, actor_kind: "rule", actor_label: "rule: Pricing", at: "2026-11-01T10:00:00Z" },
      { lead_id: 4, kind: "stage", from_stage: "new", to_stage: "qualified", changes: {}, actor_kind: "agent", actor_label: "ada@example.com", at: "2026-11-02T10:00:00Z" },
    ];
    const sent: unknown[] = [];
    mockFetch({
      "GET /api/leads/4": () => lead(4, "qualified", 100, { history }),
      "GET /api/leads/stages": () => STAGES,
      "GET /api/agents": () => [],
      "PATCH /api/leads/4": async (req) => {
        sent.push(await req.json());
        return lead(4, "qualified", 2500, { history });
      },
    });
    renderWithProviders(<LeadPage />, { route: "/leads/4", path: "/leads/:id" });
    const rows = await screen.findAllByTestId("history-row");
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining("Created in New"),
      expect.stringContaining("Moved from New to Qualified"),
    ]);
    expect(rows[0]).toHaveTextContent("rule: Pricing");
    const user = userEvent.setup();
    const save = screen.getByRole("button", { name: "Save" });
    expect(save).toBeDisabled();
    const value = screen.getByLabelText("Value");
    await user.clear(value);
    await user.type(value, "2500");
    await user.click(save);
    await waitFor(() => expect(sent).toEqual([{ value: 2500 }]));
  });
});

describe("LeadCard", () => {
  const ticket = { id: 7, customer: { id: 101, name: "Ann" } } as unknown as TicketDetail;

  it("creates a lead from the ticket, then shows it", async () => {
    let created = false;
    const fetch = mockFetch({
      "GET /api/leads": () => ({ items: created ? [lead(1, "new", 0)] : [] }),
      "POST /api/leads": () => {
        created = true;
        return lead(1, "new", 0, { created: true });
      },
    });
    renderWithProviders(<LeadCard ticket={ticket} />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Create lead" }));
    expect(await screen.findByTestId("open-lead")).toHaveTextContent("Lead 1 · New · €0.00 · Ada Agent");
    const post = calls(fetch).find((r) => r.method === "POST")!;
    expect(await post.clone().json()).toEqual({ ticket_id: 7 });
    const list = calls(fetch).find((r) => r.method === "GET")!;
    expect(new URL(list.url).searchParams.get("customer_id")).toBe("101");
  });
});

describe("LeadReportPage", () => {
  it("shows each currency's sum in that currency and links the CSV", async () => {
    const eur = (amount: number) => ({ currency: "EUR", amount });
    const usd = (amount: number) => ({ currency: "USD", amount });
    mockFetch({
      "GET /api/reports/leads": () => ({
        from: null,
        to: null,
        stages: STAGES.stages,
        leads: 6,
        open_value: [eur(750), usd(200)],
        won_value: [eur(1000), usd(300)],
        pipeline: [
          { stage: "qualified", leads: 0, value: [] },
          { stage: "won", leads: 2, value: [eur(1000), usd(300)] },
        ],
        by_channel: [
          { channel: "email", leads: 5, won: 2, lost: 1, conversion_rate: 0.4, won_value: [eur(1000), usd(300)] },
        ],
        time_in_stage: [{ stage: "new", stays: 4, median_days: 3 }],
        by_owner: [
          { owner_id: 1, owner_name: "Sam", leads: 3, won: 1, lost: 1, win_rate: 0.5, won_value: [eur(1234.5)] },
          { owner_id: 2, owner_name: "Sue", leads: 3, won: 1, lost: 0, win_rate: 1, won_value: [usd(300)] },
        ],
      }),
    });
    renderWithProviders(<LeadReportPage />);
    expect(await screen.findByTestId("lead-totals")).toHaveTextContent(
      "6 leads — open pipeline €750.00 · $200.00 — won €1,000.00 · $300.00",
    );
    const pipeline = within(screen.getByRole("table", { name: "Pipeline by stage" }));
    expect(pipeline.getByRole("row", { name: /Won/ })).toHaveTextContent("€1,000.00 · $300.00");
    expect(pipeline.getByRole("row", { name: /Qualified/ })).toHaveTextContent("—");
    const channels = within(screen.getByRole("table", { name: "Conversion by source channel" }));
    expect(channels.getByText("40 %")).toBeInTheDocument();
    expect(channels.getByText("€1,000.00 · $300.00")).toBeInTheDocument();
    const owners = within(screen.getByRole("table", { name: "Win rate per owner" }));
    expect(owners.getByText("50 %")).toBeInTheDocument();
    expect(owners.getByRole("row", { name: /Sam/ })).toHaveTextContent("€1,234.50");
    expect(owners.getByRole("row", { name: /Sue/ })).toHaveTextContent("$300.00");
    expect(screen.getByRole("link", { name: /Download as CSV/ })).toHaveAttribute("href", "/api/reports/leads?format=csv");
  });
});
