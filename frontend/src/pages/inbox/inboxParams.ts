import type { TicketFilters } from "../../api/tickets";
import type { Channel, Priority, TicketView } from "../../api/types";

export const VIEWS: { key: TicketView; label: string }[] = [
  { key: "mine", label: "Mine" },
  { key: "unassigned", label: "Unassigned" },
  { key: "pending", label: "Pending" },
  { key: "open", label: "All open" },
  { key: "solved", label: "Recently solved" },
];

export interface InboxParams {
  view: TicketView;
  channel: Channel | null;
  team_id: number | null;
  tag: string | null;
  priority: Priority | null;
  q: string | null;
}

export const INBOX_PARAM_KEYS = ["view", "channel", "team_id", "tag", "priority", "q"] as const;

/** The inbox view and filters from a query string (unknown views fall back to "mine"). */
export function parseInboxParams(sp: URLSearchParams): InboxParams {
  const view = (sp.get("view") as TicketView | null) ?? "mine";
  const team = sp.get("team_id");
  return {
    view: VIEWS.some((v) => v.key === view) ? view : "mine",
    channel: (sp.get("channel") as Channel | null) || null,
    team_id: team && /^\d+$/.test(team) ? Number(team) : null,
    tag: sp.get("tag") || null,
    priority: (sp.get("priority") as Priority | null) || null,
    q: sp.get("q") || null,
  };
}

/** The ticket list request for these params (one page of 50). */
export function inboxFilters(params: InboxParams): TicketFilters {
  return { ...params, limit: 50 };
}
