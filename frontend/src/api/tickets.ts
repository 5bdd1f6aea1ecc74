import {
  infiniteQueryOptions,
  keepPreviousData,
  queryOptions,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { CallIn, TicketDetail, TicketPatch, TicketQuery } from "./types";

export const POLL_MS = 5_000;

export type TicketFilters = Omit<TicketQuery, "cursor">;

/** Drop empty values so the query string stays clean. */
export function cleanQuery<T extends Record<string, unknown>>(q: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(q)) {
    if (v !== undefined && v !== null && v !== "") out[k] = v;
  }
  return out as T;
}

/** Query definitions shared by the hooks and the prefetch before the app renders. */
export const ticketCountsQuery = queryOptions({
  queryKey: ["tickets", "counts"],
  queryFn: () => unwrap(api.GET("/api/tickets/counts")),
});

export function ticketListQuery(filters: TicketFilters) {
  const query = cleanQuery(filters);
  return infiniteQueryOptions({
    queryKey: ["tickets", "list", query],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/tickets", { params: { query: cleanQuery({ ...query, cursor: pageParam }) } })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useTicketCounts() {
  return useQuery({ ...ticketCountsQuery, refetchInterval: POLL_MS });
}

export function useTicketList(filters: TicketFilters, opts: { poll?: boolean } = {}) {
  return useInfiniteQuery({
    ...ticketListQuery(filters),
    refetchInterval: opts.poll === false ? false : POLL_MS,
    placeholderData: keepPreviousData,
  });
}

export const ticketKey = (id: number) => ["tickets", "detail", id] as const;

export function useTicket(id: number) {
  return useQuery({
    queryKey: ticketKey(id),
    queryFn: () => unwrap(api.GET("/api/tickets/{ticket_id}", { params: { path: { ticket_id: id } } })),
    refetchInterval: POLL_MS,
    enabled: Number.isFinite(id),
  });
}

export function usePatchTicket(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: TicketPatch) => unwrap(api.PATCH("/api/tickets/{ticket_id}", { params: { path: { ticket_id: id } }, body })),
    onSuccess: (ticket: TicketDetail) => {
      qc.setQueryData(ticketKey(id), ticket);
      void qc.invalidateQueries({ queryKey: ["tickets", "list"] });
      void qc.invalidateQueries({ queryKey: ["tickets", "counts"] });
    },
  });
}

export function usePostMessage(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { body: string; public: boolean }) =>
      unwrap(api.POST("/api/tickets/{ticket_id}/messages", { params: { path: { ticket_id: id } }, body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ticketKey(id) });
      void qc.invalidateQueries({ queryKey: ["tickets", "list"] });
      void qc.invalidateQueries({ queryKey: ["customers"] });
    },
  });
}

/** The shared macros and my own. */
export function useMacros() {
  return useQuery({
    queryKey: ["macros"],
    queryFn: () => unwrap(api.GET("/api/automation/macros")),
    staleTime: 60_000,
  });
}

/** What a macro would do to a ticket (changes nothing). */
export function useMacroPreview(macroId: number | null, ticketId: number) {
  return useQuery({
    queryKey: ["macros", "preview", macroId, ticketId],
    queryFn: () =>
      unwrap(
        api.POST("/api/automation/macros/{macro_id}/preview", {
          params: { path: { macro_id: macroId ?? 0 } },
          body: { ticket_id: ticketId },
        }),
      ),
    enabled: macroId !== null,
  });
}

export function useApplyMacro(ticketId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (macroId: number) =>
      unwrap(
        api.POST("/api/automation/macros/{macro_id}/apply", {
          params: { path: { macro_id: macroId } },
          body: { ticket_id: ticketId },
        }),
      ),
    onSuccess: (ticket: TicketDetail) => {
      qc.setQueryData(ticketKey(ticketId), ticket);
      void qc.invalidateQueries({ queryKey: ["tickets", "list"] });
      void qc.invalidateQueries({ queryKey: ["tickets", "counts"] });
    },
  });
}

export function useAgents() {
  return useQuery({
    queryKey: ["agents"],
    queryFn: () => unwrap(api.GET("/api/agents")),
    staleTime: 60_000,
  });
}

export function useTeams() {
  return useQuery({
    queryKey: ["teams"],
    queryFn: () => unwrap(api.GET("/api/teams")),
    staleTime: 60_000,
  });
}

/** "Breaching soon": tickets whose next SLA target is due within `hours` or breached. */
export function useBreachingTickets(hours: number) {
  return useQuery({
    queryKey: ["tickets", "breaching", hours],
    queryFn: () => unwrap(api.GET("/api/tickets/breaching", { params: { query: { within_hours: hours } } })),
    refetchInterval: POLL_MS,
    placeholderData: keepPreviousData,
  });
}

export function useLogCall(ticketId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CallIn) =>
      unwrap(api.POST("/api/tickets/{ticket_id}/calls", { params: { path: { ticket_id: ticketId } }, body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ticketKey(ticketId) });
      void qc.invalidateQueries({ queryKey: ["tickets"] });
      void qc.invalidateQueries({ queryKey: ["customers"] });
    },
  });
}
