import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { CustomerSummary } from "../../api/types";
import { customerDetail } from "../../test/fixtures";
import { mockFetch, renderWithProviders } from "../../test/utils";
import { IdentitiesCard } from "./IdentitiesCard";
import { MergeCustomers } from "./MergeCustomers";

const customer = customerDetail({ id: 9 });

describe("MergeCustomers", () => {
  it("shows why a customer looks like a duplicate and merges it after a confirmation", async () => {
    const merged: unknown[] = [];
    mockFetch({
      "GET /api/customers/9/duplicates": () => ({
        items: [{ id: 12, name: "ann kowalski", email: "a.k@acme.example", phone: null, reasons: ["same name Ann Kowalski at acme.example"] }],
      }),
      "POST /api/customers/9/merge": async (req) => {
        merged.push(await req.json());
        return customer;
      },
    });
    renderWithProviders(<MergeCustomers customer={customer} searching={false} onSearchClose={() => {}} />);
    const user = userEvent.setup();
    const row = await screen.findByTestId("duplicate");
    expect(row).toHaveTextContent("same name Ann Kowalski at acme.example");
    await user.click(screen.getByRole("button", { name: "Merge" }));
    expect(await screen.findByText(/This cannot be undone/)).toBeInTheDocument();
    expect(merged).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Merge customers" }));
    await waitFor(() => expect(merged).toEqual([{ other_id: 12 }]));
  });

  it("merges a customer found by search, after the same confirmation", async () => {
    const merged: unknown[] = [];
    const searched: string[] = [];
    mockFetch({
      "GET /api/customers/9/duplicates": () => ({ items: [] }),
      "GET /api/customers": (_req, url) => {
        searched.push(url.searchParams.get("q") ?? "");
        const self: CustomerSummary = { id: 9, name: "Ann Kowalski", email: "ann@acme.example", phone: null, organization: null, tags: [] };
        const other: CustomerSummary = { id: 31, name: "Anna K.", email: "anna@home.example", phone: null, organization: "Home", tags: [] };
        return { items: [self, other], next_cursor: null };
      },
      "POST /api/customers/9/merge": async (req) => {
        merged.push(await req.json());
        return customer;
      },
    });
    let open = true;
    renderWithProviders(<MergeCustomers customer={customer} searching onSearchClose={() => (open = false)} />);
    const user = userEvent.setup();
    const dialog = await screen.findByRole("dialog", { name: "Merge duplicate customer" });
    await user.type(within(dialog).getByRole("textbox", { name: "Find a customer" }), "anna");
    // The customer itself is never offered.
    const candidate = await screen.findByTestId("merge-candidate");
    expect(screen.getAllByTestId("merge-candidate")).toHaveLength(1);
    expect(candidate).toHaveTextContent("Anna K.");
    expect(candidate).toHaveTextContent("Home");
    expect(searched).toContain("anna");
    await user.click(within(candidate).getByRole("button", { name: "Merge" }));
    expect(open).toBe(false);
    const confirm = await screen.findByRole("dialog", { name: "Merge customers" });
    expect(confirm).toHaveTextContent("Merge Anna K. (anna@home.example) into Ann Kowalski?");
    expect(merged).toEqual([]);
    await user.click(within(confirm).getByRole("button", { name: "Merge customers" }));
    await waitFor(() => expect(merged).toEqual([{ other_id: 31 }]));
  });

  it("shows nothing when there are no suggestions", async () => {
    const fetch = mockFetch({ "GET /api/customers/9/duplicates": () => ({ items: [] }) });
    const { container } = renderWithProviders(<MergeCustomers customer={customer} searching={false} onSearchClose={() => {}} />);
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    expect(container).not.toHaveTextContent("Possible duplicates");
  });
});

describe("IdentitiesCard", () => {
  it("adds a handle and removes an identity", async () => {
    const added: unknown[] = [];
    const removed: string[] = [];
    mockFetch({
      "POST /api/customers/9/identities": async (req) => {
        added.push(await req.json());
        return { id: 2, kind: "social", value: "twitter:@ann" };
      },
      "DELETE /api/customers/9/identities/1": (req) => {
        removed.push(req.url);
        return new Response(null, { status: 204 });
      },
    });
    renderWithProviders(<IdentitiesCard customer={customer} />);
    const user = userEvent.setup();
    await user.click(screen.getByLabelText("Kind", { selector: "input" }));
    await user.click(await screen.findByRole("option", { name: "social", hidden: true }));
    await user.type(screen.getByRole("textbox", { name: "New identity" }), "twitter:@ann");
    await user.click(screen.getByRole("button", { name: "Add" }));
    await waitFor(() => expect(added).toEqual([{ kind: "social", value: "twitter:@ann" }]));
    await user.click(screen.getByRole("button", { name: "Remove ann@acme.example" }));
    await waitFor(() => expect(removed).toHaveLength(1));
  });
});
