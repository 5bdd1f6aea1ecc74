import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockFetch, renderWithProviders } from "../../test/utils";
import { SlaTab } from "./SlaTab";

const POLICY = {
  id: 1,
  name: "Standard",
  channel: null,
  team_id: null,
  business_hours: false,
  active: true,
  targets: { urgent: { first_response: 30, next_reply: null, resolution: 240 } },
  created_at: "2026-01-05T09:00:00Z",
  updated_at: "2026-01-05T09:00:00Z",
};

describe("SlaTab", () => {
  it("lists policies and creates one with the targets typed in", async () => {
    const posted: Record<string, unknown>[] = [];
    mockFetch({
      "GET /api/automation/sla-policies": () => [POLICY],
      "GET /api/teams": () => [],
      "POST /api/automation/sla-policies": async (req) => {
        const body = (await req.json()) as Record<string, unknown>;
        posted.push(body);
        return { ...POLICY, ...body, id: 2 };
      },
    });
    renderWithProviders(<SlaTab />);
    const row = await screen.findByTestId("sla-policy-row");
    expect(row).toHaveTextContent("Urgent: first response 30 min, resolution 4.0 h");
    expect(row).toHaveTextContent("Any channel");

    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "New policy" }));
    await user.type(await screen.findByRole("textbox", { name: "Name" }), "Chat");
    await user.type(screen.getByRole("textbox", { name: "High First response minutes" }), "15");
    await user.click(screen.getByRole("button", { name: "Save policy" }));

    await waitFor(() => expect(posted).toHaveLength(1));
    const body = posted[0];
    expect(body).toMatchObject({ name: "Chat", channel: null, team_id: null, business_hours: false, active: true });
    expect(body.targets).toEqual({ high: { first_response: 15, next_reply: null, resolution: null } });
  });
});
