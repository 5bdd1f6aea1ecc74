import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { TicketDetail } from "../../api/types";
import { json, mockFetch, renderWithProviders } from "../../test/utils";
import { LogCallButton } from "./LogCallButton";

const ticket: TicketDetail = {
  id: 42,
  number: 42,
  subject: "Invoice wrong",
  status: "open",
  priority: "normal",
  channel: "email",
  customer: { id: 9, name: "Grace Hopper", email: "grace@example.com" },
  assignee: null,
  team_id: null,
  tags: [],
  created_at: "2026-03-01T10:00:00Z",
  updated_at: "2026-03-01T10:00:00Z",
  interactions: [],
  events: [],
  follow_up_of: null,
  satisfaction: null,
};

describe("LogCallButton", () => {
  it("logs an outbound call with its outcome, duration and notes", async () => {
    const posted: Record<string, unknown>[] = [];
    mockFetch({
      "POST /api/tickets/42/calls": async (req) => {
        posted.push((await req.json()) as Record<string, unknown>);
        return json({ id: 1 }, 201);
      },
    });
    renderWithProviders(<LogCallButton ticket={ticket} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Log call" }));
    const form = await screen.findByRole("form", { name: "Log a phone call" });
    await user.click(screen.getByText("Outbound"));
    await user.clear(screen.getByRole("textbox", { name: "Duration (minutes)" }));
    await user.type(screen.getByRole("textbox", { name: "Duration (minutes)" }), "4");
    await user.click(screen.getByLabelText("Outcome", { selector: "input" }));
    await user.click(await screen.findByRole("option", { name: "Voicemail", hidden: true }));
    await user.type(screen.getByRole("textbox", { name: "Notes" }), "Left a message");
    await user.click(within(form).getByRole("button", { name: "Log call" }));
    await waitFor(() => expect(posted).toHaveLength(1));
    expect(posted[0]).toMatchObject({ direction: "outbound", duration_seconds: 240, outcome: "voicemail", notes: "Left a message" });
    expect(typeof posted[0].started_at).toBe("string");
  });
});
