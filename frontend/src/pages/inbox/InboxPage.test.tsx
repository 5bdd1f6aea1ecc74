import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { TicketSummary } from "../../api/types";
import { calls, mockFetch, renderWithProviders } from "../../test/utils";
import { InboxPage } from "./InboxPage";

function ticket(id: number, over: Partial<TicketSummary> = {}): TicketSummary {
  return {
    id,
    number: 1000 + id,
    subject: `Subject ${id}`,
    status: "open",
    priority: "normal",
    channel: "email",
    customer: { id: 50 + id, name: `Customer ${id}`, email: `c${id}@example.com` },
    assignee: null,
    team_id: null,
    tags: [],
    created_at: "2026-03-01T10:00:00Z",
    updated_at: "2026-03-01T10:00:00Z",
    ...over,
  };
}

function setup() {
  return mockFetch({
    "GET /api/tickets": (_req, url) => {
      if (url.searchParams.get("cursor") === "c2") {
        return { items: [ticket(3, { subject: "Third" })], next_cursor: null };
      }
      return {
        items: [
          ticket(1, { subject: "Printer on fire", channel: "phone", status: "new", priority: "urgent" }),
          ticket(2, { subject: "Refund please", assignee: { id: 7, name: "Bob Lead", email: "bob@example.com" } }),
        ],
        next_cursor: "c2",
      };
    },
    "GET /api/tickets/counts": () => ({ mine: 2, unassigned: 5, pending: 1, open: 12, solved: 30 }),
    "GET /api/teams": () => [],
  });
}

describe("InboxPage", () => {
  it("renders rows from the API with counts per view", async () => {
    const fetch = setup();
    renderWithProviders(<InboxPage />, { route: "/inbox", path: "/inbox" });

    const rows = await screen.findAllByTestId("ticket-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("#1001");
    expect(rows[0]).toHaveTextContent("Printer on fire");
    expect(rows[0]).toHaveTextContent("Customer 1");
    expect(within(rows[0]).getByTestId("channel-badge")).toHaveTextContent("Phone");
    expect(within(rows[0]).getByTestId("status-badge")).toHaveTextContent("New");
    expect(rows[0]).toHaveTextContent("Urgent");
    expect(rows[0]).toHaveTextContent("Unassigned");
    expect(rows[1]).toHaveTextContent("Bob Lead");
    expect(rows[0]).toHaveAttribute("href", "/tickets/1");

    await waitFor(() => expect(screen.getByTestId("view-count-unassigned")).toHaveTextContent("5"));
    expect(screen.getByTestId("view-count-open")).toHaveTextContent("12");

    const list = calls(fetch).find((r) => new URL(r.url).pathname === "/api/tickets");
    expect(new URL(list!.url).searchParams.get("view")).toBe("mine");
  });

  it("loads the next page with the cursor", async () => {
    setup();
    renderWithProviders(<InboxPage />, { route: "/inbox", path: "/inbox" });
    await screen.findAllByTestId("ticket-row");
    await userEvent.setup().click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(screen.getAllByTestId("ticket-row")).toHaveLength(3));
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("supports j/k, Enter and / shortcuts", async () => {
    setup();
    renderWithProviders(<InboxPage />, { route: "/inbox", path: "/inbox" });
    const rows = await screen.findAllByTestId("ticket-row");
    const user = userEvent.setup();

    await user.keyboard("j");
    expect(rows[1]).toHaveFocus();
    expect(rows[1]).toHaveAttribute("aria-current", "true");
    await user.keyboard("k");
    expect(rows[0]).toHaveFocus();

    await user.keyboard("/");
    expect(screen.getByRole("searchbox", { name: "Search tickets" })).toHaveFocus();
    await user.keyboard("{Escape}");

    await user.keyboard("j{Enter}");
    await waitFor(() => expect(screen.getByTestId("other-route")).toBeInTheDocument());
  });

  it("switches views", async () => {
    const fetch = setup();
    renderWithProviders(<InboxPage />, { route: "/inbox", path: "/inbox" });
    await screen.findAllByTestId("ticket-row");
    await userEvent.setup().click(screen.getByTestId("view-unassigned"));
    await waitFor(() =>
      expect(
        calls(fetch).some((r) => new URL(r.url).searchParams.get("view") === "unassigned"),
      ).toBe(true),
    );
    expect(screen.getByRole("heading", { name: "Unassigned" })).toBeInTheDocument();
  });
});

describe("InboxPage with a full page of tickets", () => {
  it("renders all 50 rows of a page (a screenful first) and j reaches past the first screenful", async () => {
    mockFetch({
      "GET /api/tickets": () => ({ items: Array.from({ length: 50 }, (_, i) => ticket(i + 1)), next_cursor: null }),
      "GET /api/tickets/counts": () => ({ mine: 50, unassigned: 0, pending: 0, open: 50, solved: 0 }),
      "GET /api/teams": () => [],
    });
    renderWithProviders(<InboxPage />, { route: "/inbox", path: "/inbox" });
    await screen.findAllByTestId("ticket-row");
    // The rest follow in a background render: give it time on a loaded machine.
    await waitFor(() => expect(screen.getAllByTestId("ticket-row")).toHaveLength(50), { timeout: 15_000 });
    const user = userEvent.setup();
    await user.keyboard("j".repeat(30));
    expect(screen.getAllByTestId("ticket-row")[30]).toHaveFocus();
  });
});
