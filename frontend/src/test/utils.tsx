import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { vi } from "vitest";
import { Providers } from "../app/Providers";
import { meKey } from "../api/auth";
import { setCsrfToken } from "../api/client";
import type { Agent } from "../api/types";

export const testAgent: Agent = {
  id: 1,
  email: "ada@example.com",
  name: "Ada Agent",
  role: "admin",
  team_id: null,
  active: true,
};

/** A query client that never retries or polls, so tests see each call once. */
export function testQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { retry: false, refetchInterval: false, gcTime: Infinity }, mutations: { retry: false } },
  });
}

export function renderWithProviders(
  ui: ReactElement,
  {
    route = "/",
    path = "*",
    agent = testAgent as Agent | null,
    client = testQueryClient(),
  }: { route?: string; path?: string; agent?: Agent | null; client?: QueryClient } = {},
) {
  if (agent) client.setQueryData(meKey, { agent, csrf_token: "test-csrf" });
  setCsrfToken(agent ? "test-csrf" : null);
  const result = render(
    <Providers client={client}>
      <MemoryRouter initialEntries={[route]}>
        <Routes>
          <Route path={path} element={ui} />
          <Route path="*" element={<div data-testid="other-route" />} />
        </Routes>
      </MemoryRouter>
    </Providers>,
  );
  return { ...result, client };
}

export type Handler = (req: Request, url: URL) => Response | unknown | Promise<Response | unknown>;

export function json(body: unknown, status = 200, contentType = "application/json"): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": contentType } });
}

export function problem(status: number, title: string, detail?: string): Response {
  return json({ type: "about:blank", title, status, detail }, status, "application/problem+json");
}

/**
 * Stub global fetch. Keys are "METHOD /path" (query string ignored); values
 * return a Response or a JSON-serialisable body. Unmatched requests get 404.
 */
export function mockFetch(handlers: Record<string, Handler>) {
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(req.url);
    const handler = handlers[`${req.method} ${url.pathname}`];
    if (!handler) return problem(404, "Not Found", `${req.method} ${url.pathname} not mocked`);
    const out = await handler(req, url);
    return out instanceof Response ? out : json(out);
  });
  vi.stubGlobal("fetch", fn);
  return fn;
}

/** Requests seen by a mockFetch stub. */
export function calls(fn: ReturnType<typeof mockFetch>): Request[] {
  return fn.mock.calls.map(([input]) => input as Request);
}
