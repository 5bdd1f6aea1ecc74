import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { TicketDetail } from "../../api/types";
import { calls, json, mockFetch, renderWithProviders } from "../../test/utils";
import { ReplyBox } from "./ReplyBox";

const ticket: TicketDetail = {
  id: 42,
  number: 1042,
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

describe("ReplyBox", () => {
  it("inserts a canned reply with placeholders filled and sends an internal note with Ctrl+Enter", async () => {
    const posted: unknown[] = [];
    const fetch = mockFetch({
      "GET /api/canned-replies": () => [
        { id: 1, title: "Greeting", body: "Hi {{customer.name}}, about #{{ticket.number}}. — {{agent.name}}" },
      ],
      "POST /api/tickets/42/messages": async (req) => {
        posted.push(await req.json());
        return json({ id: 1 }, 201);
      },
    });
    renderWithProviders(<ReplyBox ticket={ticket} />);
    const user = userEvent.setup();

    const picker = screen.getByLabelText("Insert canned reply", { selector: "input" });
    await waitFor(() => expect(picker).not.toBeDisabled());
    await user.click(picker);
    await user.click(await screen.findByRole("option", { name: "Greeting", hidden: true }));

    const box = screen.getByRole("textbox", { name: /Reply to Grace Hopper/ });
    expect(box).toHaveValue("Hi Grace Hopper, about #1042. — Ada Agent");

    await user.click(screen.getByText("Internal note"));
    const note = screen.getByRole("textbox", { name: /Internal note/ });
    fireEvent.keyDown(note, { key: "Enter", ctrlKey: true });

    await waitFor(() => expect(posted).toEqual([{ body: "Hi Grace Hopper, about #1042. — Ada Agent", public: false }]));
    const post = calls(fetch).find((r) => r.method === "POST")!;
    expect(post.headers.get("X-CSRF-Token")).toBe("test-csrf");
    await waitFor(() => expect(note).toHaveValue(""));
  });
});
