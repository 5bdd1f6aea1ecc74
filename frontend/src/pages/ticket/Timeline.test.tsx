import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Interaction } from "../../api/types";
import { renderWithProviders } from "../../test/utils";
import { Timeline } from "./Timeline";

const base = {
  direction: "inbound" as const,
  channel: "email" as const,
  kind: "message" as const,
  public: true,
  author: { kind: "customer" as const, id: 9, name: "Grace Hopper" },
  body_html: null,
  message_id: null,
  ticket_id: 77,
  attachments: [],
};

const items: Interaction[] = [
  { ...base, id: 2, body_text: "Checked the logs, looks like a billing bug.", public: false, direction: "outbound",
    channel: "web", author: { kind: "agent", id: 1, name: "Ada Agent" }, created_at: "2026-03-01T10:05:00Z" },
  { ...base, id: 1, body_text: "My invoice is wrong.", created_at: "2026-03-01T10:00:00Z" },
  { ...base, id: 3, body_text: "Sorry about that, fixed!", direction: "outbound", channel: "email",
    author: { kind: "agent", id: 1, name: "Ada Agent" }, body_html: "<p>Sorry about that, <b>fixed</b>!</p>",
    created_at: "2026-03-01T10:10:00Z" },
];

describe("Timeline", () => {
  it("renders entries in order and marks internal notes", () => {
    renderWithProviders(<Timeline items={items} />);
    const entries = screen.getAllByTestId("timeline-entry");
    expect(entries).toHaveLength(3);
    expect(entries[0]).toHaveTextContent("My invoice is wrong.");
    expect(entries[1]).toHaveTextContent("billing bug");
    expect(entries[2]).toHaveTextContent("Sorry about that, fixed!");

    expect(entries[1]).toHaveAttribute("data-internal", "true");
    expect(within(entries[1]).getByText("Internal note")).toBeInTheDocument();
    expect(entries[1]).toHaveAccessibleName(/Internal note from Ada Agent/);

    for (const e of [entries[0], entries[2]]) {
      expect(e).toHaveAttribute("data-internal", "false");
      expect(within(e).queryByText("Internal note")).not.toBeInTheDocument();
    }
  });

  it("shows a channel badge on every entry and renders sanitized HTML", () => {
    renderWithProviders(<Timeline items={items} />);
    const entries = screen.getAllByTestId("timeline-entry");
    expect(within(entries[0]).getByTestId("channel-badge")).toHaveTextContent("Email");
    expect(within(entries[1]).getByTestId("channel-badge")).toHaveTextContent("Web");
    expect(within(entries[2]).getByText("fixed").tagName).toBe("B");
  });

  it("folds quoted text and lists attachments as downloads", async () => {
    const mail: Interaction = {
      ...base,
      id: 5,
      body_text: "Thanks!\n\nOn Monday Support wrote:\n> old text",
      fold_at: 9,
      created_at: "2026-03-01T11:00:00Z",
      attachments: [
        { id: 7, interaction_id: 5, filename: "invoice.pdf", content_type: "application/pdf", size: 2048,
          inline: false, stored: true, url: "/api/attachments/7" },
      ],
    };
    renderWithProviders(<Timeline items={[mail]} />);
    const entry = screen.getByTestId("timeline-entry");
    expect(entry).toHaveTextContent("Thanks!");
    expect(entry).not.toHaveTextContent("old text");
    within(entry).getByRole("button", { name: "Show quoted text" }).click();
    expect(await within(entry).findByText(/old text/)).toBeInTheDocument();
    const link = within(entry).getByTestId("attachment");
    expect(link).toHaveAttribute("href", "/api/attachments/7");
    expect(link).toHaveAttribute("download", "invoice.pdf");
    expect(link).toHaveTextContent("invoice.pdf (2.0 KB)");
  });

  it("shows a phone call's details and never marks it an internal note", () => {
    const call: Interaction = {
      ...base,
      id: 9,
      kind: "call",
      channel: "phone",
      direction: "outbound",
      public: false,
      author: { kind: "agent", id: 1, name: "Ada Agent" },
      body_text: "Nobody picked up",
      created_at: "2026-03-01T11:00:00Z",
      call: {
        id: 4, call_id: null, ticket_id: 77, interaction_id: 9, direction: "outbound", from_number: "", to_number: "",
        started_at: "2026-03-01T11:00:00Z", ended_at: "2026-03-01T11:00:30Z", duration_seconds: 30, outcome: "no_answer",
        notes: "Nobody picked up", recording_url: "", source: "agent",
      },
    };
    renderWithProviders(<Timeline items={[call]} />);
    const entry = screen.getByTestId("timeline-entry");
    expect(entry).toHaveAttribute("data-internal", "false");
    expect(entry).toHaveAccessibleName("Call from Ada Agent");
    expect(within(entry).getByTestId("call-details")).toHaveTextContent("Outbound call · no answer · 30 s");
  });
});
