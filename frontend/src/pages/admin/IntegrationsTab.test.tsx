import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Integration } from "../../api/types";
import { calls, json, mockFetch, renderWithProviders } from "../../test/utils";
import { IntegrationsTab } from "./IntegrationsTab";

const WIDGET: Integration = {
  id: 1,
  kind: "chat",
  platform: "widget",
  name: "Site chat",
  reply_url: "",
  active: true,
  inbound_url: "https://desk.example/api/channels/chat/inbound",
  signature_header: "Servicedesk-Signature",
  signature_tolerance_seconds: 300,
  created_at: "2026-11-02T09:00:00Z",
  updated_at: "2026-11-02T09:00:00Z",
};
const SECRET = "ab".repeat(32);

/** The API as the server keeps it: a list that POST and PATCH change; the secret only in POST's answer. */
function server(initial: Integration[]) {
  const rows = initial.map((r) => ({ ...r })); // PATCH changes its copies, not the fixtures
  const posted: Record<string, unknown>[] = [];
  const patched: Record<string, unknown>[] = [];
  const fetch = mockFetch({
    "GET /api/channels/integrations": () => rows,
    "POST /api/channels/integrations": async (req) => {
      const body = (await req.json()) as Record<string, unknown>;
      posted.push(body);
      if (rows.some((r) => r.kind === body.kind && r.platform === body.platform)) {
        // As the server answers a DomainError with a field (app.py).
        const detail = `there is already a ${String(body.kind)} integration for ${String(body.platform)}`;
        return json(
          { type: "about:blank", title: "Conflict", status: 409, detail, errors: [{ field: "platform", message: detail }] },
          409,
          "application/problem+json",
        );
      }
      const row = {
        ...WIDGET,
        ...body,
        id: rows.length + 1,
        reply_url: (body.reply_url as string | null) ?? "",
        inbound_url: `https://desk.example/api/channels/${String(body.kind)}/inbound`,
        signature_header: "Servicedesk-Signature",
        signature_tolerance_seconds: 300,
      } as Integration;
      rows.push(row);
      return new Response(JSON.stringify({ ...row, secret: SECRET }), {
        status: 201,
        headers: { "Content-Type": "application/json" },
      });
    },
    "POST /api/channels/integrations/1/secret": () =>
      new Response(JSON.stringify({ ...rows[0], secret: "cd".repeat(32) }), {
        status: 201,
        headers: { "Content-Type": "application/json" },
      }),
    "PATCH /api/channels/integrations/1": async (req) => {
      const body = (await req.json()) as Partial<Integration>;
      patched.push(body);
      Object.assign(rows[0], body);
      return rows[0];
    },
  });
  return { rows, posted, patched, fetch };
}

describe("IntegrationsTab", () => {
  it("lists the integrations: kind, platform, name, active, reply URL, created", async () => {
    server([WIDGET, { ...WIDGET, id: 2, kind: "social", platform: "mastodon", name: "Mastodon", active: false, reply_url: "https://bridge.example/replies" }]);
    renderWithProviders(<IntegrationsTab />);
    const rows = await screen.findAllByTestId("integration-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("Chat");
    expect(rows[0]).toHaveTextContent("widget");
    expect(rows[0]).toHaveTextContent("Site chat");
    expect(rows[0]).toHaveTextContent("Active");
    expect(rows[0]).toHaveTextContent("none: replies stay on the ticket");
    expect(rows[0]).toHaveTextContent("2026");
    expect(rows[1]).toHaveTextContent("Social");
    expect(rows[1]).toHaveTextContent("Inactive");
    expect(rows[1]).toHaveTextContent("https://bridge.example/replies");
    expect(within(rows[1]).getByRole("button", { name: "Reactivate Mastodon" })).toBeInTheDocument();
  });

  it("creates one and shows its secret, door URL and signature header once", async () => {
    const api = server([WIDGET]);
    renderWithProviders(<IntegrationsTab />);
    await screen.findByTestId("integration-row");
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "New integration" }));
    await user.click(await screen.findByRole("radio", { name: /^Social/ }));
    const platform = screen.getByRole("textbox", { name: "Platform" });
    await user.type(platform, "Mastodon");
    expect(screen.getByText("lower-case letters, digits and _ . - (up to 40)")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Create integration" })).toBeDisabled();
    await user.clear(platform);
    await user.type(platform, "mastodon");
    await user.type(screen.getByRole("textbox", { name: "Name" }), "Mastodon");
    await user.type(screen.getByRole("textbox", { name: /^Reply URL/ }), "https://bridge.example/replies");
    await user.click(screen.getByRole("button", { name: "Create integration" }));

    await waitFor(() => expect(api.posted).toHaveLength(1));
    expect(api.posted[0]).toEqual({
      kind: "social",
      platform: "mastodon",
      name: "Mastodon",
      reply_url: "https://bridge.example/replies",
      active: true,
    });
    const dialog = await screen.findByRole("dialog", { name: "Copy the secret now" });
    expect(dialog).toHaveTextContent("Mastodon: this is the only time its secret is shown");
    expect(within(dialog).getByTestId("integration-secret")).toHaveTextContent(SECRET);
    expect(within(dialog).getByTestId("integration-door")).toHaveTextContent(
      "https://desk.example/api/channels/social/inbound",
    );
    expect(dialog).toHaveTextContent('"platform": "mastodon"');
    expect(dialog).toHaveTextContent("Servicedesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256");
    expect(dialog).toHaveTextContent("more than 300 s from the desk's clock is refused");
    expect(within(dialog).getByRole("button", { name: "Copy secret" })).toBeInTheDocument();

    await user.click(within(dialog).getByRole("button", { name: "I have stored the secret" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findAllByTestId("integration-row")).toHaveLength(2);
    expect(document.body).not.toHaveTextContent(SECRET);
  });

  it("shows the server's conflict under the platform", async () => {
    const api = server([WIDGET]);
    renderWithProviders(<IntegrationsTab />);
    await screen.findByTestId("integration-row");
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "New integration" }));
    await user.type(await screen.findByRole("textbox", { name: "Platform" }), "widget");
    await user.type(screen.getByRole("textbox", { name: "Name" }), "Second chat");
    await user.click(screen.getByRole("button", { name: "Create integration" }));
    await waitFor(() => expect(api.posted).toHaveLength(1));
    const platform = screen.getByRole("textbox", { name: "Platform" });
    await waitFor(() => expect(platform).toHaveAccessibleDescription(/there is already a chat integration for widget/));
    expect(platform).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByTestId("integration-secret")).not.toBeInTheDocument();
  });

  it("deactivates and reactivates (no delete), and edits the name and reply URL", async () => {
    const api = server([WIDGET]);
    renderWithProviders(<IntegrationsTab />);
    const user = userEvent.setup();
    const row = await screen.findByTestId("integration-row");
    expect(within(row).queryByRole("button", { name: /delete/i })).not.toBeInTheDocument();

    await user.click(within(row).getByRole("button", { name: "Deactivate Site chat" }));
    await waitFor(() => expect(api.patched).toEqual([{ active: false }]));
    expect(await within(row).findByText("Inactive")).toBeInTheDocument();
    await user.click(await within(row).findByRole("button", { name: "Reactivate Site chat" }));
    await waitFor(() => expect(api.patched).toEqual([{ active: false }, { active: true }]));
    expect(await within(row).findByText("Active")).toBeInTheDocument();

    await user.click(within(row).getByRole("button", { name: "Edit Site chat" }));
    const name = await screen.findByRole("textbox", { name: "Name" });
    expect(screen.queryByRole("textbox", { name: "Platform" })).not.toBeInTheDocument();
    await user.clear(name);
    await user.type(name, "Website chat");
    await user.type(screen.getByRole("textbox", { name: /^Reply URL/ }), "https://chat.example/replies");
    await user.click(screen.getByRole("button", { name: "Save integration" }));
    await waitFor(() =>
      expect(api.patched[2]).toEqual({ name: "Website chat", reply_url: "https://chat.example/replies" }),
    );
    expect(await within(row).findByText("Website chat")).toBeInTheDocument();
  });

  it("issues a new secret after a confirmation and shows it once", async () => {
    const api = server([WIDGET]);
    renderWithProviders(<IntegrationsTab />);
    const user = userEvent.setup();
    const row = await screen.findByTestId("integration-row");
    await user.click(within(row).getByRole("button", { name: "New secret for Site chat" }));
    const confirm = await screen.findByRole("dialog", { name: "Issue a new secret" });
    expect(confirm).toHaveTextContent("The current one stops working at once");
    await user.click(within(confirm).getByRole("button", { name: "Issue new secret" }));
    const dialog = await screen.findByRole("dialog", { name: "Copy the secret now" });
    expect(within(dialog).getByTestId("integration-secret")).toHaveTextContent("cd".repeat(32));
    expect(calls(api.fetch).filter((r) => r.method === "POST").map((r) => new URL(r.url).pathname)).toEqual([
      "/api/channels/integrations/1/secret",
    ]);
  });
});
