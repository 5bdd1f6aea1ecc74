import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { calls, mockFetch, renderWithProviders } from "../../test/utils";
import { OutboxTab } from "./OutboxTab";

const kind = (name: string, over: object = {}) => ({
  kind: name,
  due: 0,
  oldest_due_at: null,
  scheduled: 0,
  failed: 0,
  unknown: 0,
  ...over,
});

const failedEmail = {
  id: 9,
  kind: "email",
  topic: "reply",
  to: "ann@mail.example",
  subject: "[#3] Re: Order",
  status: "failed",
  attempts: 5,
  last_error: "550 mailbox full",
  ticket_id: 3,
  created_at: "2026-03-02T09:00:00Z",
  sent_at: null,
};

describe("OutboxTab", () => {
  it("shows the backlog of every kind, late ones marked, and re-sends a failed email", async () => {
    const fetch = mockFetch({
      "GET /api/outbox/backlog": () => ({
        checked_at: "2026-03-02T10:00:00Z",
        kinds: [
          kind("event", { due: 40, oldest_due_at: "2026-03-02T09:50:00Z" }),
          kind("email", { scheduled: 2, failed: 1 }),
          kind("webhook"),
          kind("channel"),
        ],
      }),
      "GET /api/outbox": () => ({ items: [failedEmail] }),
      "POST /api/outbox/9/resend": () => ({ status: "pending" }),
    });
    renderWithProviders(<OutboxTab />);
    const backlog = await screen.findByTestId("outbox-backlog");
    const lines = within(backlog).getAllByText(/due/);
    expect(lines.map((line) => line.textContent)).toEqual([
      "event: 40 events due, the oldest for 10 min",
      "email: no emails due · 2 scheduled · 1 failed",
      "webhook: no webhook posts due",
      "channel: no chat/social replies due",
    ]);
    // Waiting over a minute: the worker may be down or behind.
    expect(lines[0]!.getAttribute("style")).toContain("orange");
    expect(lines[1]!.getAttribute("style") ?? "").not.toContain("orange");
    const row = await screen.findByTestId("outbox-row");
    expect(row).toHaveTextContent("550 mailbox full");
    await userEvent.setup().click(within(row).getByRole("button", { name: "Re-send" }));
    expect(calls(fetch).some((r) => r.method === "POST" && r.url.endsWith("/api/outbox/9/resend"))).toBe(true);
  });
});
