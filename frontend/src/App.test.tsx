import { QueryClient } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { AppRoutes } from "./App";
import { Providers } from "./app/Providers";
import { calls, mockFetch, problem } from "./test/utils";

function renderApp(route: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, refetchInterval: false } } });
  return render(
    <Providers client={client}>
      <MemoryRouter initialEntries={[route]}>
        <AppRoutes />
      </MemoryRouter>
    </Providers>,
  );
}

const session = (role: string) => ({
  agent: { id: 3, email: "sam@example.com", name: "Sam Agent", role, team_id: null, active: true },
  csrf_token: "t",
});

describe("routing and access", () => {
  it("sends signed-out users to the login page", async () => {
    mockFetch({ "GET /api/auth/me": () => problem(401, "Unauthorized") });
    renderApp("/inbox");
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
  });

  it("shows a clear no-access page to non-admins and hides the admin link", async () => {
    mockFetch({ "GET /api/auth/me": () => session("agent") });
    renderApp("/admin");
    expect(await screen.findByRole("heading", { name: "You do not have access" })).toBeInTheDocument();
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(nav).toHaveTextContent("Inbox");
    expect(nav).toHaveTextContent("Customers");
    expect(nav).not.toHaveTextContent("Admin");
    expect(nav).not.toHaveTextContent("Dashboard");
  });

  it("keeps the chat and social integrations (and their secrets) from leads", async () => {
    const fetch = mockFetch({ "GET /api/auth/me": () => session("lead") });
    renderApp("/admin?tab=integrations");
    expect(await screen.findByRole("heading", { name: "You do not have access" })).toBeInTheDocument();
    expect(screen.queryByRole("tab", { name: "Chat & social" })).not.toBeInTheDocument();
    expect(calls(fetch).map((r) => new URL(r.url).pathname)).not.toContain("/api/channels/integrations");
  });

  it("keeps the rules from agents and shows them to leads", async () => {
    mockFetch({ "GET /api/auth/me": () => session("agent") });
    const agent = renderApp("/rules");
    expect(await screen.findByRole("heading", { name: "You do not have access" })).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Main" })).not.toHaveTextContent("Rules");
    agent.unmount();

    mockFetch({ "GET /api/auth/me": () => session("lead"), "GET /api/automation/rules": () => [] });
    renderApp("/rules");
    expect(await screen.findByText("No rules yet.")).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Main" })).toHaveTextContent("Rules");
  });

  it("shows the survey page without app chrome", async () => {
    mockFetch({
      "GET /public/api/surveys/tok": () => ({
        kind: "csat",
        question: "How satisfied are you?",
        ces_question: null,
        ticket_subject: null,
        rating: null,
        comment: null,
        ces_score: null,
      }),
    });
    renderApp("/survey/tok");
    expect(await screen.findByRole("heading", { name: "How satisfied are you?" })).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("navigation", { name: "Main" })).not.toBeInTheDocument());
  });
});
