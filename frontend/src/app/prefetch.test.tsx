import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { calls, json, mockFetch, problem, renderWithProviders, testAgent, testQueryClient } from "../test/utils";
import { InboxPage } from "../pages/inbox/InboxPage";
import { prefetchFirstScreen } from "./prefetch";

function handlers(signedIn = true) {
  return mockFetch({
    "GET /api/auth/me": () =>
      signedIn ? json({ agent: testAgent, csrf_token: "t" }) : problem(401, "Unauthorized"),
    "GET /api/tickets": () =>
      signedIn ? { items: [], next_cursor: null } : problem(401, "Unauthorized"),
    "GET /api/tickets/counts": () => ({ mine: 0, unassigned: 0, pending: 0, open: 0, solved: 0 }),
    "GET /api/teams": () => [],
  });
}

const paths = (fetch: ReturnType<typeof mockFetch>) =>
  calls(fetch).map((r) => {
    const url = new URL(r.url);
    return url.pathname + url.search;
  });

describe("prefetchFirstScreen", () => {
  it("starts the session, inbox list and counts calls at once, with the view from the URL", async () => {
    const fetch = handlers();
    prefetchFirstScreen(testQueryClient(), { pathname: "/inbox", search: "?view=open&channel=phone" });
    await expect.poll(() => paths(fetch)).toEqual([
      "/api/auth/me",
      "/api/tickets?view=open&channel=phone&limit=50",
      "/api/tickets/counts",
    ]);
  });

  it("only checks the session away from the inbox", async () => {
    const fetch = handlers();
    const qc = testQueryClient();
    prefetchFirstScreen(qc, { pathname: "/tickets/7", search: "" });
    await expect.poll(() => qc.getQueryState(["auth", "me"])?.status).toBe("success");
    expect(paths(fetch)).toEqual(["/api/auth/me"]);
  });

  it("hands its requests to the inbox, which sends no second list call", async () => {
    const fetch = handlers();
    const client = testQueryClient();
    prefetchFirstScreen(client, { pathname: "/inbox", search: "" });
    await expect.poll(() => paths(fetch).length).toBe(3);
    renderWithProviders(<InboxPage />, { route: "/inbox", path: "/inbox", client });
    await screen.findByText("No tickets here. Nice work!");
    expect(paths(fetch).filter((p) => p.startsWith("/api/tickets?"))).toEqual(["/api/tickets?view=mine&limit=50"]);
  });

  it("signed out, the session resolves to nobody", async () => {
    handlers(false);
    const qc = testQueryClient();
    prefetchFirstScreen(qc, { pathname: "/inbox", search: "" });
    await expect.poll(() => qc.getQueryState(["auth", "me"])?.status).toBe("success");
    expect(qc.getQueryData(["auth", "me"])).toBeNull();
  });
});
