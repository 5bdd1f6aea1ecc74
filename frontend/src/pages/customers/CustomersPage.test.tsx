import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { CustomerSummary } from "../../api/types";
import { calls, mockFetch, renderWithProviders } from "../../test/utils";
import { CustomersPage } from "./CustomersPage";

function customer(id: number, over: Partial<CustomerSummary> = {}): CustomerSummary {
  return { id, name: `Customer ${id}`, email: `c${id}@example.com`, phone: null, organization: null, tags: [], ...over };
}

function setup() {
  return mockFetch({
    "GET /api/customers": (_req, url) => {
      const q = url.searchParams.get("q");
      if (q) return { items: [customer(9, { name: "Grace Hopper", organization: "Navy" })], next_cursor: null };
      if (url.searchParams.get("cursor") === "2") return { items: [customer(3)], next_cursor: null };
      return { items: [customer(1, { tags: ["vip"], phone: "+15550100" }), customer(2)], next_cursor: "2" };
    },
  });
}

describe("CustomersPage", () => {
  it("lists customers with links to their page and loads more with the cursor", async () => {
    setup();
    renderWithProviders(<CustomersPage />, { route: "/customers", path: "/customers" });
    const rows = await screen.findAllByTestId("customer-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("c1@example.com");
    expect(rows[0]).toHaveTextContent("+15550100");
    expect(rows[0]).toHaveTextContent("#vip");
    expect(screen.getByRole("link", { name: "Customer 1" })).toHaveAttribute("href", "/customers/1");

    await userEvent.setup().click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(3));
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("searches by what the agent types", async () => {
    const fetch = setup();
    renderWithProviders(<CustomersPage />, { route: "/customers", path: "/customers" });
    await screen.findAllByTestId("customer-row");
    await userEvent.setup().type(screen.getByRole("searchbox", { name: "Search customers" }), "grace");
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(1));
    expect(screen.getByTestId("customer-row")).toHaveTextContent("Navy");
    const searched = calls(fetch).map((r) => new URL(r.url).searchParams.get("q"));
    expect(searched).toContain("grace");
  });

  it("says so when nothing matches", async () => {
    mockFetch({ "GET /api/customers": () => ({ items: [], next_cursor: null }) });
    renderWithProviders(<CustomersPage />, { route: "/customers?q=zzz", path: "/customers" });
    expect(await screen.findByText("No customer matches “zzz”.")).toBeInTheDocument();
    expect(screen.getByRole("searchbox", { name: "Search customers" })).toHaveValue("zzz");
  });
});
