import { describe, expect, it } from "vitest";
import { mockFetch, problem, calls } from "../test/utils";
import { ApiError, api, errorMessage, setCsrfToken, unwrap } from "./client";

describe("api client", () => {
  it("sends the CSRF token on unsafe requests only", async () => {
    const fetch = mockFetch({
      "GET /api/tickets/counts": () => ({ mine: 0, unassigned: 0, pending: 0, open: 0, solved: 0 }),
      "PATCH /api/tickets/5": () => ({}),
    });
    setCsrfToken("csrf-1");
    await unwrap(api.GET("/api/tickets/counts"));
    await unwrap(api.PATCH("/api/tickets/{ticket_id}", { params: { path: { ticket_id: 5 } }, body: { status: "solved" } }));
    const [get, patch] = calls(fetch);
    expect(get.headers.get("X-CSRF-Token")).toBeNull();
    expect(patch.headers.get("X-CSRF-Token")).toBe("csrf-1");
    setCsrfToken(null);
  });

  it("turns problem+json into a readable ApiError", async () => {
    mockFetch({
      "PATCH /api/tickets/5": () =>
        new Response(
          JSON.stringify({
            type: "about:blank",
            title: "Conflict",
            status: 409,
            detail: "A closed ticket cannot be reopened",
            errors: [{ field: "status", message: "not allowed" }],
          }),
          { status: 409, headers: { "Content-Type": "application/problem+json" } },
        ),
    });
    const err = await unwrap(
      api.PATCH("/api/tickets/{ticket_id}", { params: { path: { ticket_id: 5 } }, body: { status: "open" } }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(409);
    expect(errorMessage(err)).toBe("A closed ticket cannot be reopened — status: not allowed");
    expect((err as ApiError).fieldErrors).toEqual({ status: "not allowed" });
  });

  it("handles non-JSON errors", async () => {
    mockFetch({ "GET /api/tickets/counts": () => new Response("Bad gateway", { status: 502, statusText: "Bad Gateway" }) });
    const err = await unwrap(api.GET("/api/tickets/counts")).catch((e: unknown) => e);
    expect(errorMessage(err)).toBe("Bad gateway");
    mockFetch({ "GET /api/tickets/counts": () => problem(403, "Forbidden") });
    const err2 = await unwrap(api.GET("/api/tickets/counts")).catch((e: unknown) => e);
    expect(errorMessage(err2)).toBe("Forbidden");
  });
});
