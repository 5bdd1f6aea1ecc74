import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { RuleBody } from "../../api/automation";
import { calls, json, mockFetch, renderWithProviders } from "../../test/utils";
import { catalog, rule } from "./fixtures";
import { RuleEditorPage } from "./RuleEditorPage";

function jsonView(): HTMLTextAreaElement {
  return screen.getByRole("textbox", { name: /^JSON/ }) as HTMLTextAreaElement;
}

function shownRule(): RuleBody {
  return JSON.parse(jsonView().value) as RuleBody;
}

/** An input by its label, whether a text box or a Mantine select (a read-only input). */
function input(label: string): HTMLInputElement {
  return screen.getByLabelText(label, { selector: "input, textarea" }) as HTMLInputElement;
}

/** Open a select and return its own list of options (every select keeps one in the page). */
async function open(user: ReturnType<typeof userEvent.setup>, label: string): Promise<HTMLElement> {
  const field = input(label);
  await user.click(field);
  await waitFor(() => expect(field).toHaveAttribute("aria-controls"));
  return document.getElementById(field.getAttribute("aria-controls")!)!;
}

async function pick(user: ReturnType<typeof userEvent.setup>, label: string, option: string) {
  const list = await open(user, label);
  await user.click(within(list).getByRole("option", { name: option, hidden: true }));
}

function renderNew() {
  return renderWithProviders(<RuleEditorPage />, { route: "/rules/new", path: "/rules/new" });
}

describe("RuleEditorPage", () => {
  it("builds conditions with the operators and value picker of each field, shown in the JSON view", async () => {
    mockFetch({ "GET /api/automation/catalog": () => catalog });
    renderNew();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Add condition (all)" }));
    // A new condition takes the first field and its type's first operator.
    expect(shownRule().conditions.all).toEqual([{ field: "ticket.subject", op: "contains", value: "" }]);
    await user.type(input("All condition 1 value"), "refund");
    expect(shownRule().conditions.all[0].value).toBe("refund");

    // A choice field offers only its type's operators and its choices as values.
    await pick(user, "All condition 1 field", "ticket.status");
    const list = await open(user, "All condition 1 operator");
    const ops = within(list).getAllByRole("option", { hidden: true }).map((o) => o.textContent);
    expect(ops).toEqual(catalog.operators.choice);
    await user.click(within(list).getByRole("option", { name: "is_not", hidden: true }));
    await pick(user, "All condition 1 value", "pending");
    expect(shownRule().conditions.all).toEqual([{ field: "ticket.status", op: "is_not", value: "pending" }]);

    // `changed` takes no value; a number field takes a number.
    await pick(user, "All condition 1 operator", "changed");
    expect(shownRule().conditions.all).toEqual([{ field: "ticket.status", op: "changed" }]);
    expect(screen.queryByLabelText("All condition 1 value")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Remove all condition 1" }));
    expect(shownRule().conditions.all).toEqual([]);
  });

  it("picks a number for a number field and tags for a set", async () => {
    mockFetch({ "GET /api/automation/catalog": () => catalog });
    renderNew();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Add condition (any)" }));
    await pick(user, "Any condition 1 field", "ticket.reopens");
    await pick(user, "Any condition 1 operator", "gt");
    await user.type(input("Any condition 1 value"), "2");
    expect(shownRule().conditions.any).toEqual([{ field: "ticket.reopens", op: "gt", value: 2 }]);

    // A set field's `is` takes tags.
    await pick(user, "Any condition 1 field", "ticket.tags");
    await pick(user, "Any condition 1 operator", "is");
    await user.type(input("Any condition 1 value"), "vip{Enter}refund{Enter}");
    expect(shownRule().conditions.any).toEqual([{ field: "ticket.tags", op: "is", value: ["vip", "refund"] }]);
  });

  it("builds actions from the catalog's parameters", async () => {
    mockFetch({ "GET /api/automation/catalog": () => catalog });
    renderNew();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Add action" }));
    expect(shownRule().actions).toEqual([{ type: "set", field: "status" }]);
    // The value of `set` offers the choices of the field it sets.
    await pick(user, "Action 1 field", "priority");
    await pick(user, "Action 1 value", "urgent");
    await user.click(screen.getByRole("button", { name: "Add action" }));
    await pick(user, "Action 2 type", "Add tags");
    await user.type(input("Action 2 value"), "refund{Enter}");
    expect(shownRule().actions).toEqual([
      { type: "set", field: "priority", value: "urgent" },
      { type: "add_tags", value: ["refund"] },
    ]);
  });

  it("offers a web form's fields: ticket.form. and a name typed beside it", async () => {
    mockFetch({ "GET /api/automation/catalog": () => catalog });
    renderNew();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Add condition (all)" }));
    await pick(user, "All condition 1 field", "ticket.form.… (web form field)");
    // A form field is a text: the text operators, a text value.
    const list = await open(user, "All condition 1 operator");
    const ops = within(list).getAllByRole("option", { hidden: true }).map((o) => o.textContent);
    expect(ops).toEqual(catalog.operators.text);
    await user.click(within(list).getByRole("option", { name: "is", hidden: true }));
    await user.type(input("All condition 1 form field"), "Interest");
    expect(screen.getByText(/Lower-case letters, digits and _/)).toBeInTheDocument();
    await user.clear(input("All condition 1 form field"));
    await user.type(input("All condition 1 form field"), "interest");
    expect(screen.queryByText(/Lower-case letters, digits and _/)).not.toBeInTheDocument();
    await user.type(input("All condition 1 value"), "pricing");
    expect(shownRule().conditions.all).toEqual([{ field: "ticket.form.interest", op: "is", value: "pricing" }]);

    // One typed in the JSON view shows the same way.
    const typed = { ...shownRule(), conditions: { all: [], any: [{ field: "ticket.form.order_number", op: "present" }] } };
    fireEvent.change(jsonView(), { target: { value: JSON.stringify(typed) } });
    expect(input("Any condition 1 form field")).toHaveValue("order_number");
    expect(input("Any condition 1 field")).toHaveValue("ticket.form.… (web form field)");
  });

  it("names the triggered campaigns a send_campaign action may send", async () => {
    const withCampaigns = {
      ...catalog,
      actions: [
        ...catalog.actions,
        { type: "send_campaign", label: "Send a triggered campaign", params: [{ name: "campaign_id", type: "choice", choices: ["3", "5"] }] },
      ],
    };
    const campaign = (id: number, name: string) => ({
      id,
      name,
      kind: "triggered",
      segment_id: null,
      subject: "Hello",
      body: "Hi",
      status: "draft",
      send_at: null,
      queued_at: null,
      created_at: "2026-03-01T10:00:00Z",
    });
    mockFetch({
      "GET /api/automation/catalog": () => withCampaigns,
      "GET /api/campaigns": () => ({ items: [campaign(5, "Pricing follow-up"), campaign(3, "Welcome")] }),
    });
    renderNew();
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Add action" }));
    await pick(user, "Action 1 type", "Send a triggered campaign");
    expect(shownRule().actions).toEqual([{ type: "send_campaign", campaign_id: "3" }]);
    await waitFor(() => expect(input("Action 1 campaign id")).toHaveValue("Welcome (#3)"));
    const list = await open(user, "Action 1 campaign id");
    const options = within(list).getAllByRole("option", { hidden: true }).map((o) => o.textContent);
    expect(options).toEqual(["Welcome (#3)", "Pricing follow-up (#5)"]);
    await user.click(within(list).getByRole("option", { name: "Pricing follow-up (#5)", hidden: true }));
    expect(shownRule().actions).toEqual([{ type: "send_campaign", campaign_id: "5" }]);

    // A saved rule's id (a number in its JSON) shows by name too.
    const typed = { ...shownRule(), actions: [{ type: "send_campaign", campaign_id: 3 }] };
    fireEvent.change(jsonView(), { target: { value: JSON.stringify(typed) } });
    expect(input("Action 1 campaign id")).toHaveValue("Welcome (#3)");
  });

  it("keeps the builder in sync with an edited JSON view and shows invalid JSON as an error", async () => {
    mockFetch({ "GET /api/automation/catalog": () => catalog });
    renderNew();
    await screen.findByRole("button", { name: "Add action" });
    const typed: RuleBody = {
      name: "Typed by hand",
      active: false,
      position: 30,
      trigger: { every: "minute" },
      conditions: { all: [{ field: "ticket.status", op: "is", value: "pending" }], any: [] },
      actions: [{ type: "note", body: "Still pending" }],
    };
    fireEvent.change(jsonView(), { target: { value: JSON.stringify(typed) } });
    expect(screen.getByRole("textbox", { name: "Name" })).toHaveValue("Typed by hand");
    expect(screen.getByRole("switch", { name: "Active" })).not.toBeChecked();
    expect(screen.getByText(/Checked once a minute/)).toBeInTheDocument();
    expect(input("All condition 1 value")).toHaveValue("pending");
    expect(screen.getByRole("textbox", { name: "Action 1 body" })).toHaveValue("Still pending");

    fireEvent.change(jsonView(), { target: { value: '{"name": "Broken",' } });
    expect(screen.getByText(/^Invalid JSON/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Save rule" })).toBeDisabled();
    // The builder keeps the last valid rule.
    expect(screen.getByRole("textbox", { name: "Name" })).toHaveValue("Typed by hand");

    fireEvent.change(jsonView(), { target: { value: '{"name": "No trigger"}' } });
    expect(screen.getByText(/trigger must be/)).toBeInTheDocument();

    // Editing in the builder again rewrites the JSON and clears the error.
    await userEvent.setup().type(screen.getByRole("textbox", { name: "Name" }), "!");
    expect(shownRule().name).toBe("Typed by hand!");
    expect(screen.queryByText(/trigger must be/)).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Save rule" })).toBeEnabled();
  });

  it("shows the server's 422 errors beside the fields they name", async () => {
    mockFetch({
      "GET /api/automation/catalog": () => catalog,
      "POST /api/automation/rules": () =>
        json(
          {
            type: "about:blank",
            title: "Invalid rule",
            status: 422,
            errors: [
              { field: "name", message: "A rule with this name exists" },
              { field: "conditions.all[0].value", message: "not a status: done" },
              { field: "actions[0].value", message: "unknown priority" },
              { field: "loop", message: "re-arms rule “Other”" },
            ],
          },
          422,
          "application/problem+json",
        ),
    });
    renderNew();
    await screen.findByRole("button", { name: "Add action" });
    const body: RuleBody = {
      name: "Dup",
      active: true,
      position: 10,
      trigger: { events: ["ticket.created"] },
      conditions: { all: [{ field: "ticket.status", op: "is", value: "done" }], any: [] },
      actions: [{ type: "set", field: "priority", value: "asap" }],
    };
    fireEvent.change(jsonView(), { target: { value: JSON.stringify(body) } });
    await userEvent.setup().click(screen.getByRole("button", { name: "Save rule" }));

    expect(await screen.findByText("A rule with this name exists")).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "Name" })).toHaveAccessibleDescription("A rule with this name exists");
    expect(input("All condition 1 value")).toHaveAccessibleDescription(
      "not a status: done",
    );
    expect(within(screen.getByTestId("action-row")).getByText("unknown priority")).toBeInTheDocument();
    // A path no field shows goes to the alert on top.
    expect(screen.getByRole("alert")).toHaveTextContent("loop: re-arms rule “Other”");
    expect(screen.getByRole("alert")).not.toHaveTextContent("unknown priority");
  });

  it("previews the dry run of the last 30 days, then saves the rule", async () => {
    let dryRunBody: { rule: RuleBody; from: string; to: string } | null = null;
    let saved: RuleBody | null = null;
    const fetch = mockFetch({
      "GET /api/automation/catalog": () => catalog,
      "POST /api/automation/dry-run": async (req) => {
        dryRunBody = await req.json();
        return {
          fired: 42,
          tickets: 40,
          items: [{ ticket_id: 7, subject: "Refund please", customer_id: 3, event: "ticket.created", at: "2026-03-02T10:00:00Z", actions: ["add tags refund"] }],
        };
      },
      "POST /api/automation/rules": async (req) => {
        saved = await req.json();
        return json(rule(5, saved!), 201);
      },
    });
    renderNew();
    const user = userEvent.setup();
    await user.type(await screen.findByRole("textbox", { name: "Name" }), "Refunds");
    await user.click(screen.getByRole("button", { name: "Add condition (all)" }));
    await user.type(input("All condition 1 value"), "refund");
    await user.click(screen.getByRole("button", { name: "Preview last 30 days" }));

    expect(await screen.findByTestId("dry-run-summary")).toHaveTextContent("Would have fired 42 times on 40 tickets");
    const item = screen.getByTestId("dry-run-row");
    expect(within(item).getByRole("link", { name: "#7 Refund please" })).toHaveAttribute("href", "/tickets/7");
    expect(item).toHaveTextContent("add tags refund");
    expect(dryRunBody!.rule.conditions.all).toEqual([{ field: "ticket.subject", op: "contains", value: "refund" }]);
    const days = (Date.parse(dryRunBody!.to) - Date.parse(dryRunBody!.from)) / 86_400_000;
    expect(days).toBeCloseTo(30, 0);

    // An edit after the preview says the preview is stale.
    await user.type(input("All condition 1 value"), "s");
    expect(screen.getByText(/changed since this preview/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Save rule" }));
    await screen.findByTestId("other-route");
    expect(saved).toMatchObject({ name: "Refunds", conditions: { all: [{ value: "refunds" }] } });
    expect(calls(fetch).find((r) => r.method === "POST")!.headers.get("X-CSRF-Token")).toBe("test-csrf");
  });

  it("links a customer's event in the dry run to the customer", async () => {
    mockFetch({
      "GET /api/automation/catalog": () => catalog,
      "POST /api/automation/dry-run": () => ({
        fired: 2,
        tickets: 0,
        items: [3, 4].map((id) => ({
          ticket_id: null,
          subject: null,
          customer_id: id,
          event: "customer.created",
          at: "2026-03-02T10:00:00Z",
          actions: ["add tags new"],
        })),
      }),
    });
    renderNew();
    const user = userEvent.setup();
    await user.type(await screen.findByRole("textbox", { name: "Name" }), "Welcome");
    await user.click(screen.getByRole("button", { name: "Preview last 30 days" }));

    expect(await screen.findByTestId("dry-run-summary")).toHaveTextContent(
      "Would have fired 2 times, on customers' events (no ticket)",
    );
    const [first] = screen.getAllByTestId("dry-run-row");
    expect(within(first!).getByRole("link", { name: "Customer #3" })).toHaveAttribute("href", "/customers/3");
    expect(first).toHaveTextContent("customer.created");
  });

  it("edits an existing rule with a PATCH and links to its run log", async () => {
    let patched: RuleBody | null = null;
    mockFetch({
      "GET /api/automation/catalog": () => catalog,
      "GET /api/automation/rules/3": () => rule(3, { name: "Pending nudge", trigger: { every: "minute" } }),
      "PATCH /api/automation/rules/3": async (req) => {
        patched = await req.json();
        return rule(3, patched!);
      },
    });
    renderWithProviders(<RuleEditorPage />, { route: "/rules/3", path: "/rules/:id" });
    expect(await screen.findByRole("heading", { name: "Edit rule: Pending nudge" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Run log" })).toHaveAttribute("href", "/rules/3/runs");
    expect(shownRule()).toEqual({
      name: "Pending nudge",
      active: true,
      position: 30,
      trigger: { every: "minute" },
      conditions: { all: [], any: [] },
      actions: [{ type: "add_tags", value: ["x"] }],
    });
    const user = userEvent.setup();
    await user.click(screen.getByRole("switch", { name: "Active" }));
    await user.click(screen.getByRole("button", { name: "Save rule" }));
    await waitFor(() => expect(patched).toMatchObject({ name: "Pending nudge", active: false }));
  });

  it("deletes a rule after a second click", async () => {
    let deleted = false;
    mockFetch({
      "GET /api/automation/catalog": () => catalog,
      "GET /api/automation/rules/3": () => rule(3),
      "DELETE /api/automation/rules/3": () => {
        deleted = true;
        return new Response(null, { status: 204 });
      },
    });
    renderWithProviders(<RuleEditorPage />, { route: "/rules/3", path: "/rules/:id" });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    expect(deleted).toBe(false);
    await user.click(screen.getByRole("button", { name: "Really delete?" }));
    await screen.findByTestId("other-route");
    expect(deleted).toBe(true);
  });
});
