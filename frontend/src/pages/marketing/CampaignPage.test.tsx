import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { calls, mockFetch, renderWithProviders } from "../../test/utils";
import { CampaignEditorPage } from "./CampaignEditorPage";
import { CampaignPage } from "./CampaignPage";

const campaign = {
  id: 4,
  name: "Spring news",
  kind: "segment",
  segment_id: 7,
  subject: "Hello {{ customer.first_name }}",
  body: "Spring is here",
  status: "draft",
  send_at: null,
  queued_at: null,
  created_at: "2026-11-01T10:00:00Z",
};
const report = {
  campaign_id: 4,
  recipients: 650,
  sent: 640,
  delivered: 638,
  failed: 0,
  unknown: 0,
  bounced: 12,
  unsubscribed: 3,
  skipped_no_consent: 200,
  skipped_suppressed: 150,
  skipped_frequency_cap: 0,
  pending: 0,
  replies: 9,
  leads: 5,
  won_value: [
    { currency: "EUR", amount: 1000.5 },
    { currency: "USD", amount: 300 },
  ],
  csat_before: 4.1,
  csat_after: 4.4,
  nps_before: null,
  nps_after: 20,
};

describe("CampaignPage", () => {
  it("shows the report and sends a test and the campaign", async () => {
    const fetch = mockFetch({
      "GET /api/campaigns/4": () => campaign,
      "GET /api/campaigns/4/report": () => report,
      "POST /api/campaigns/4/test": () => ({ to: "ada@example.com" }),
      "POST /api/campaigns/4/send": () => ({
        queued: 650,
        skipped_no_consent: 200,
        skipped_suppressed: 150,
        skipped_frequency_cap: 0,
        already_decided: 0,
      }),
    });
    renderWithProviders(<CampaignPage />, { route: "/marketing/campaigns/4", path: "/marketing/campaigns/:id" });
    expect(await screen.findByTestId("figure-delivered")).toHaveTextContent("638");
    expect(screen.getByTestId("figure-skipped_no_consent")).toHaveTextContent("200");
    expect(screen.getByTestId("figure-leads")).toHaveTextContent("5");
    // Each currency's won value in that currency: EUR and USD are never added up.
    expect(screen.getByTestId("figure-won_value")).toHaveTextContent(/won value of those leads€1,000\.50 · \$300\.00$/i);
    expect(screen.getByText(/4.1 in the 30 days before, 4.4 after/)).toBeInTheDocument();

    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Send test to me" }));
    expect(await screen.findByText("Test sent to ada@example.com.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Send now" }));
    expect(await screen.findByText(/Queued 650; skipped 200 without consent/)).toBeInTheDocument();
    expect(calls(fetch).filter((r) => r.method === "POST").map((r) => new URL(r.url).pathname)).toEqual([
      "/api/campaigns/4/test",
      "/api/campaigns/4/send",
    ]);
  });
});

describe("CampaignPage of a triggered campaign", () => {
  it("lists the rules that send it, offers no send button and shows its report", async () => {
    const action = (campaign_id: number | string) => ({ type: "send_campaign", campaign_id });
    const rule = (id: number, name: string, campaign_id: number | string, active = true) => ({
      id,
      name,
      active,
      position: id,
      trigger: { events: ["survey.answered"] },
      conditions: { all: [], any: [] },
      actions: [action(campaign_id)],
      created_at: "",
      updated_at: "",
      last_fired_at: null,
      fired_count: 0,
      error_count: 0,
    });
    mockFetch({
      "GET /api/campaigns/5": () => ({ ...campaign, id: 5, kind: "triggered", segment_id: null, status: "active" }),
      "GET /api/campaigns/5/report": () => ({
        ...report,
        campaign_id: 5,
        recipients: 3,
        skipped_no_consent: 2,
        leads: 0,
        won_value: [],
      }),
      "GET /api/automation/rules": () => [
        rule(1, "Promoters get a review request", 5),
        rule(2, "Other campaign", 6),
        rule(3, "Old promoter rule", 5, false),
        // Saved before rules kept their picked ids as numbers.
        rule(4, "Rule with the id as text", "5"),
      ],
    });
    renderWithProviders(<CampaignPage />, { route: "/marketing/campaigns/5", path: "/marketing/campaigns/:id" });
    expect(await screen.findByRole("link", { name: "Promoters get a review request" })).toHaveAttribute("href", "/rules/1");
    expect(screen.getByRole("link", { name: "Old promoter rule" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Rule with the id as text" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Other campaign" })).toBeNull();
    expect(screen.getByText(/\(inactive\)/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Send now|Send to new members/ })).toBeNull();
    expect(await screen.findByTestId("figure-skipped_no_consent")).toHaveTextContent("2");
    expect(screen.getByTestId("figure-won_value")).toHaveTextContent(/—$/);
  });
});

describe("CampaignEditorPage", () => {
  it("creates a triggered campaign without a segment", async () => {
    const fetch = mockFetch({
      "GET /api/segments": () => ({ items: [] }),
      "POST /api/campaigns/preview": () => ({ subject: "Tips", body: "Hi" }),
      "POST /api/campaigns": () => ({ ...campaign, kind: "triggered", segment_id: null, status: "active" }),
    });
    renderWithProviders(<CampaignEditorPage />, { route: "/marketing/campaigns/new", path: "/marketing/campaigns/new" });
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Name" }), "Tips");
    await user.click(screen.getByText("Triggered by rules"));
    expect(screen.queryByLabelText(/Segment/, { selector: "input" })).toBeNull();
    expect(screen.queryByLabelText(/Send at/)).toBeNull();
    await user.click(screen.getByRole("button", { name: "Save triggered campaign" }));
    await waitFor(() => expect(screen.getByTestId("other-route")).toBeInTheDocument());
    const created = calls(fetch).find((r) => r.method === "POST" && new URL(r.url).pathname === "/api/campaigns");
    const body = (await created?.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ name: "Tips", kind: "triggered" });
    expect(body).not.toHaveProperty("segment_id");
  });


  it("previews the templates as they are typed and creates the campaign", async () => {
    const fetch = mockFetch({
      "GET /api/segments": () => ({
        items: [{ id: 7, name: "Everyone", conditions: { all: [], any: [] }, created_at: "", updated_at: "" }],
      }),
      "POST /api/campaigns/preview": async (req) => {
        const body = (await req.json()) as { subject: string };
        return { subject: body.subject.replace("{{ customer.first_name }}", "Ada"), body: "Dear Ada Lovelace" };
      },
      "POST /api/campaigns": () => campaign,
    });
    renderWithProviders(<CampaignEditorPage />, { route: "/marketing/campaigns/new", path: "/marketing/campaigns/new" });
    expect(await screen.findByTestId("preview-subject")).toHaveTextContent("Hello Ada");
    const user = userEvent.setup();
    await user.type(screen.getByRole("textbox", { name: "Name" }), "Spring news");
    await user.click(screen.getByLabelText(/Segment/, { selector: "input" }));
    await user.click(await screen.findByRole("option", { name: "Everyone", hidden: true }));
    await user.click(screen.getByRole("button", { name: "Save draft" }));
    await waitFor(() => expect(screen.getByTestId("other-route")).toBeInTheDocument());
    const created = calls(fetch).find((r) => r.method === "POST" && new URL(r.url).pathname === "/api/campaigns");
    expect(await created?.json()).toMatchObject({ name: "Spring news", segment_id: 7, send_at: null });
  });
});
