import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { TicketEvent } from "../../api/types";
import { mockFetch, renderWithProviders } from "../../test/utils";
import { AuditTrail } from "./AuditTrail";

function event(over: Partial<TicketEvent>): TicketEvent {
  return {
    id: 1,
    actor_kind: "agent",
    actor_name: "Lee Lead",
    field: "status",
    old_value: null,
    new_value: null,
    created_at: "2026-11-20T10:00:00Z",
    ...over,
  };
}

describe("AuditTrail", () => {
  it("names the assignee and the team instead of their ids", async () => {
    mockFetch({
      "GET /api/agents": () => [
        { id: 1, email: "ada@desk.example", name: "Ada Admin", role: "admin", team_id: null, active: true },
        { id: 7, email: "bo@desk.example", name: "Bo Agent", role: "agent", team_id: 2, active: true },
      ],
      "GET /api/teams": () => [{ id: 2, name: "Tier 2", schedule: {} }],
    });
    renderWithProviders(
      <AuditTrail
        events={[
          event({ id: 1, field: "assignee", old_value: null, new_value: "1" }),
          event({ id: 2, field: "assignee", old_value: "1", new_value: "7", created_at: "2026-11-20T11:00:00Z" }),
          event({ id: 3, field: "team", old_value: null, new_value: "2", created_at: "2026-11-20T12:00:00Z" }),
          event({ id: 4, field: "status", old_value: "new", new_value: "open", created_at: "2026-11-20T13:00:00Z" }),
        ]}
      />,
    );
    expect(await screen.findByText(/set assignee to Ada Admin/)).toBeInTheDocument();
    expect(screen.getByText(/changed assignee from Ada Admin to Bo Agent/)).toBeInTheDocument();
    expect(await screen.findByText(/set team to Tier 2/)).toBeInTheDocument();
    expect(screen.getByText(/changed status from new to open/)).toBeInTheDocument();
    expect(screen.queryByText(/assignee to 1\b/)).not.toBeInTheDocument();
  });

  it("keeps the id when no agent has it any more", async () => {
    mockFetch({ "GET /api/agents": () => [], "GET /api/teams": () => [] });
    renderWithProviders(<AuditTrail events={[event({ field: "assignee", new_value: "42" })]} />);
    expect(await screen.findByText(/set assignee to 42/)).toBeInTheDocument();
  });
});
