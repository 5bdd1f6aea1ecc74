import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import type { Channel, Priority, TicketView } from "../../api/types";
import type { TicketFilters } from "../../api/tickets";

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

const KEYS = ["view", "channel", "team_id", "tag", "priority", "q"] as const;

/** Inbox view and filters live in the URL so they survive reloads and back-navigation. */
export function useInboxParams() {
  const [sp, setSp] = useSearchParams();
  const params: InboxParams = useMemo(() => {
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
  }, [sp]);

  const update = useCallback(
    (patch: Partial<InboxParams>) => {
      setSp(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const k of KEYS) {
            if (!(k in patch)) continue;
            const v = patch[k];
            if (v === null || v === undefined || v === "") next.delete(k);
            else next.set(k, String(v));
          }
          return next;
        },
        { replace: true },
      );
    },
    [setSp],
  );

  const filters: TicketFilters = useMemo(
    () => ({
      view: params.view,
      channel: params.channel,
      team_id: params.team_id,
      tag: params.tag,
      priority: params.priority,
      q: params.q,
      limit: 50,
    }),
    [params],
  );

  return { params, update, filters };
}
