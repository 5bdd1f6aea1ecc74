import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { calls, mockFetch, renderWithProviders } from "../../test/utils";
import { ContactPage } from "./ContactPage";
import { formBody } from "./contactForm";

async function fill() {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText(/^Name/), "Ann Example");
  await user.type(screen.getByLabelText(/^Email/), "ann@mail.example");
  await user.type(screen.getByLabelText(/^Order number/), "A-1001");
  await user.type(screen.getByLabelText(/^Subject/), "Where is my order?");
  await user.type(screen.getByLabelText(/^Message/), "It has not arrived.");
  return user;
}

describe("ContactPage", () => {
  it("posts the form without a session and thanks the customer", async () => {
    const bodies: unknown[] = [];
    const fetch = mockFetch({
      "POST /api/channels/form/inbound": async (req: Request) => {
        bodies.push(await req.json());
        return new Response(JSON.stringify({ status: "received" }), {
          status: 202,
          headers: { "Content-Type": "application/json" },
        });
      },
    });
    renderWithProviders(<ContactPage />, { route: "/contact", path: "/contact", agent: null });
    const user = await fill();
    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByRole("heading", { name: "Thank you!" })).toBeInTheDocument();
    expect(bodies).toEqual([
      {
        name: "Ann Example",
        email: "ann@mail.example",
        subject: "Where is my order?",
        message: "It has not arrived.",
        order_number: "A-1001",
      },
    ]);
    const [request] = calls(fetch);
    expect(request.headers.get("X-CSRF-Token")).toBeNull();
    expect(request.credentials).toBe("omit");
  });

  it("shows the server's problem on the field it names, and the rate limit", async () => {
    let status = 422;
    mockFetch({
      "POST /api/channels/form/inbound": () =>
        new Response(
          JSON.stringify(
            status === 422
              ? {
                  title: "Invalid value",
                  status,
                  detail: "'x' is not an email address",
                  errors: [{ field: "email", message: "'x' is not an email address" }],
                }
              : { title: "Too many requests", status, detail: "over 10 posts an hour from this address" },
          ),
          { status, headers: { "Content-Type": "application/problem+json" } },
        ),
    });
    renderWithProviders(<ContactPage />, { route: "/contact", path: "/contact", agent: null });
    const user = await fill();
    await user.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(screen.getByLabelText(/^Email/)).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getByRole("alert")).toHaveTextContent("not an email address");
    status = 429;
    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText(/over 10 posts an hour/)).toBeInTheDocument();
  });

  it("leaves empty optional fields out and keeps a filled honeypot", () => {
    const base = { name: " Ann ", email: "a@b.example", phone: "", subject: "S", message: "M", order_number: "", website: "" };
    expect(formBody(base)).toEqual({ name: "Ann", email: "a@b.example", subject: "S", message: "M" });
    expect(formBody({ ...base, website: "http://spam" }).website).toBe("http://spam");
  });
});
