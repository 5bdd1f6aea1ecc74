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

const macro = {
  id: 3,
  name: "Solved",
  actions: [{ type: "set", field: "status", value: "solved" }],
  reply: "Hi {{ customer.name }}",
  shared: true,
  owner_id: null,
  created_at: "2026-03-01T10:00:00Z",
  updated_at: "2026-03-01T10:00:00Z",
};

describe("ReplyBox", () => {
  it("previews a macro, then applies it in one click", async () => {
    const previewed: unknown[] = [];
    const applied: unknown[] = [];
    const fetch = mockFetch({
      "GET /api/automation/macros": () => [macro, { ...macro, id: 4, name: "Mine", shared: false, owner_id: 1 }],
      "POST /api/automation/macros/3/preview": async (req) => {
        previewed.push(await req.json());
        return { actions: ["set status solved"], reply: "Hi Grace Hopper, this is solved." };
      },
      "POST /api/automation/macros/3/apply": async (req) => {
        applied.push(await req.json());
        return { ...ticket, status: "solved" };
      },
    });
    renderWithProviders(<ReplyBox ticket={ticket} />);
    const user = userEvent.setup();

    const picker = screen.getByLabelText("Macro", { selector: "input" });
    await waitFor(() => expect(picker).not.toBeDisabled());
    await user.click(picker);
    expect(await screen.findByRole("option", { name: "Mine (personal)", hidden: true })).toBeInTheDocument();
    await user.click(await screen.findByRole("option", { name: "Solved", hidden: true }));

    const preview = await screen.findByLabelText("Macro preview");
    expect(await screen.findByText("set status solved")).toBeInTheDocument();
    expect(screen.getByTestId("macro-reply")).toHaveTextContent("Hi Grace Hopper, this is solved.");
    expect(previewed).toEqual([{ ticket_id: 42 }]);
    expect(applied).toEqual([]);

    await user.click(screen.getByRole("button", { name: "Apply macro" }));
    await waitFor(() => expect(applied).toEqual([{ ticket_id: 42 }]));
    await waitFor(() => expect(preview).not.toBeInTheDocument());
    const post = calls(fetch).find((r) => r.url.includes("/apply"))!;
    expect(post.headers.get("X-CSRF-Token")).toBe("test-csrf");
  });

  it("sends an internal note with Ctrl+Enter", async () => {
    const posted: unknown[] = [];
    mockFetch({
      "GET /api/automation/macros": () => [],
      "POST /api/tickets/42/messages": async (req) => {
        posted.push(await req.json());
        return json({ id: 1 }, 201);
      },
    });
    renderWithProviders(<ReplyBox ticket={ticket} />);
    const user = userEvent.setup();

    await user.click(screen.getByText("Internal note"));
    const note = screen.getByRole("textbox", { name: /Internal note/ });
    await user.type(note, "Checked the invoice");
    fireEvent.keyDown(note, { key: "Enter", ctrlKey: true });

    await waitFor(() => expect(posted).toEqual([{ body: "Checked the invoice", public: false }]));
    await waitFor(() => expect(note).toHaveValue(""));
  });
});
