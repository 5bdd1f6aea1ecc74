import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { calls, mockFetch, renderWithProviders } from "../../test/utils";
import { SegmentBuilderPage } from "./SegmentBuilderPage";
import { toCondition } from "./conditions";

const fields = {
  fields: [
    { name: "customer.tags", type: "set", operators: ["contains", "not_contains", "present", "blank"], choices: [] },
    { name: "customer.tickets", type: "number", operators: ["is", "gt", "lt"], choices: [] },
  ],
};

function setup() {
  return mockFetch({
    "GET /api/segments/fields": () => fields,
    "POST /api/segments/preview": async (req) => {
      const body = (await req.json()) as { conditions: { all: unknown[] } };
      return body.conditions.all.length === 0
        ? { count: 3, items: [{ id: 1, name: "Ann", email: "ann@example.com" }], next: null }
        : { count: 1, items: [{ id: 2, name: "Vip Val", email: "val@example.com" }], next: null };
    },
    "POST /api/segments": () => ({ id: 7, name: "VIP", conditions: { all: [], any: [] }, created_at: "", updated_at: "" }),
  });
}

describe("SegmentBuilderPage", () => {
  it("counts the members live while conditions are added, then saves the segment", async () => {
    const fetch = setup();
    renderWithProviders(<SegmentBuilderPage />, { route: "/marketing/segments/new", path: "/marketing/segments/new" });
    expect(await screen.findByText("3 customers match")).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Add condition" }));
    await user.type(screen.getByRole("textbox", { name: /Value of condition/ }), "vip");
    expect(await screen.findByText("1 customer matches")).toBeInTheDocument();
    expect(screen.getByText(/Vip Val/)).toBeInTheDocument();

    await user.type(screen.getByRole("textbox", { name: "Name" }), "VIP");
    await user.click(screen.getByRole("button", { name: "Save segment" }));
    await waitFor(() => expect(screen.getByTestId("other-route")).toBeInTheDocument());
    const saved = calls(fetch).find((r) => r.method === "POST" && new URL(r.url).pathname === "/api/segments");
    expect(await saved?.json()).toEqual({
      name: "VIP",
      conditions: { all: [{ field: "customer.tags", op: "contains", value: "vip" }], any: [] },
    });
  });

  it("turns typed values into the condition's type", () => {
    const known = fields.fields;
    expect(toCondition({ key: 1, field: "customer.tickets", op: "gt", value: "2" }, known)).toEqual({
      field: "customer.tickets",
      op: "gt",
      value: 2,
    });
    expect(toCondition({ key: 1, field: "customer.tickets", op: "gt", value: "" }, known)).toBeNull();
    expect(toCondition({ key: 1, field: "customer.tags", op: "blank", value: "" }, known)?.value).toBeNull();
  });
});
