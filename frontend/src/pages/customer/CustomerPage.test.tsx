import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { customerDetail } from "../../test/fixtures";
import { calls, mockFetch, renderWithProviders } from "../../test/utils";
import { CustomerPage } from "./CustomerPage";

function customer(stage: string | null) {
  return customerDetail({ name: "Ann Smith", email: "ann@acme.com", organization: "Acme", journey_stage: stage });
}

function entry(kind: string, id: number, at: string, title: string, more: Record<string, unknown> = {}) {
  return {
    key: `${kind}:${id}`,
    kind,
    id,
    at,
    title,
    text: null,
    ticket_id: null,
    ticket_subject: null,
    channel: null,
    actor: null,
    message: null,
    ...more,
  };
}

const message = {
  id: 7,
  ticket_id: 3,
  direction: "inbound",
  channel: "chat",
  public: true,
  author: { kind: "customer", id: 1, name: "Ann Smith" },
  body_text: "Where is my order?",
  body_html: null,
  message_id: null,
  created_at: "2026-03-01T10:00:00Z",
  attachments: [],
  fold_at: null,
};

describe("CustomerPage", () => {
  it("sets the journey stage and shows every kind of touchpoint, older pages on demand", async () => {
    let stage: string | null = "awareness";
    const fetch = mockFetch({
      "GET /api/customers/1": () => customer(stage),
      "GET /api/customers/journey-stages": () => ({ stages: ["awareness", "consideration", "loyal"] }),
      "PUT /api/customers/1/journey-stage": async (req) => {
        stage = ((await req.json()) as { stage: string | null }).stage;
        return customer(stage);
      },
      "GET /api/customers/1/timeline": (_req, url) =>
        url.searchParams.get("before")
          ? { items: [entry("campaign", 2, "2026-02-01T00:00:00Z", "Campaign email: Spring", { text: "Spring news (sent)" })], next: null }
          : {
              items: [
                ...(stage === "loyal"
                  ? [entry("journey", 9, "2026-03-03T00:00:00Z", "Journey stage: awareness → loyal", { actor: "Ada Agent" })]
                  : []),
                entry("survey_answer", 4, "2026-03-02T00:00:00Z", "NPS answer: 9", { text: "Great help" }),
                entry("message", 7, "2026-03-01T10:00:00Z", "Message from the customer", { ticket_id: 3, ticket_subject: "Order", message }),
              ],
              next: "2026-03-01T10:00:00+00:00~message~7",
            },
    });
    const user = userEvent.setup();
    renderWithProviders(<CustomerPage />, { route: "/customers/1", path: "/customers/:id" });

    const entries = await screen.findAllByTestId("customer-timeline-entry");
    expect(entries.map((e) => e.dataset.kind)).toEqual(["survey_answer", "message"]);
    expect(entries[1]).toHaveTextContent("Where is my order?");
    expect(entries[0]).toHaveTextContent("Great help");

    await user.click(screen.getByRole("button", { name: "Show older" }));
    await waitFor(() => expect(screen.getAllByTestId("customer-timeline-entry")).toHaveLength(3));
    const older = calls(fetch).find((r) => new URL(r.url).searchParams.get("before"));
    expect(new URL(older!.url).searchParams.get("before")).toBe("2026-03-01T10:00:00+00:00~message~7");
    expect(screen.getAllByTestId("customer-timeline-entry")[2]).toHaveTextContent("Spring news (sent)");

    const stageField = () => screen.getByLabelText("Journey stage", { selector: "input" });
    const field = stageField();
    expect(field).toHaveValue("awareness");
    await user.click(field);
    await waitFor(() => expect(field).toHaveAttribute("aria-controls"));
    const list = document.getElementById(field.getAttribute("aria-controls")!)!;
    await user.click(within(list).getByRole("option", { name: "loyal", hidden: true }));

    await waitFor(() => expect(stageField()).toHaveValue("loyal"));
    const put = calls(fetch).find((r) => r.method === "PUT");
    expect(put && new URL(put.url).pathname).toBe("/api/customers/1/journey-stage");
    const journey = await screen.findByText("Journey stage: awareness → loyal");
    expect(journey.closest("[data-testid=customer-timeline-entry]")).toHaveTextContent("Ada Agent");
  });
});
