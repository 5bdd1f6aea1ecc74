import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { calls, mockFetch, problem, renderWithProviders } from "../../test/utils";
import { LoginPage } from "./LoginPage";

describe("LoginPage", () => {
  it("shows an error when the credentials are rejected (401)", async () => {
    const fetch = mockFetch({
      "GET /api/auth/me": () => problem(401, "Unauthorized", "Not signed in"),
      "POST /api/auth/login": () => problem(401, "Unauthorized", "Invalid email or password."),
    });
    renderWithProviders(<LoginPage />, { route: "/login", path: "/login", agent: null });

    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(/email/i), "ada@example.com");
    await user.type(screen.getByLabelText(/^password/i), "wrong");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Invalid email or password.");
    expect(screen.queryByTestId("other-route")).not.toBeInTheDocument();

    const login = calls(fetch).find((r) => r.method === "POST");
    expect(login).toBeDefined();
    expect(await login!.clone().json()).toEqual({ email: "ada@example.com", password: "wrong" });
  });

  it("explains rate limiting (429)", async () => {
    mockFetch({
      "GET /api/auth/me": () => problem(401, "Unauthorized"),
      "POST /api/auth/login": () => problem(429, "Too Many Requests"),
    });
    renderWithProviders(<LoginPage />, { route: "/login", path: "/login", agent: null });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(/email/i), "ada@example.com");
    await user.type(screen.getByLabelText(/^password/i), "x");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(/too many/i);
  });

  it("goes to the inbox after a successful login", async () => {
    mockFetch({
      "GET /api/auth/me": () => problem(401, "Unauthorized"),
      "POST /api/auth/login": () => ({
        agent: { id: 1, email: "ada@example.com", name: "Ada", role: "agent", team_id: null, active: true },
        csrf_token: "tok",
      }),
    });
    renderWithProviders(<LoginPage />, { route: "/login", path: "/login", agent: null });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(/email/i), "ada@example.com");
    await user.type(screen.getByLabelText(/^password/i), "secret");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(screen.getByTestId("other-route")).toBeInTheDocument());
  });
});
