import type { QueryClient } from "@tanstack/react-query";
import { sessionQuery } from "../api/auth";
import { ticketCountsQuery, ticketListQuery } from "../api/tickets";
import { inboxFilters, parseInboxParams } from "../pages/inbox/inboxParams";

/**
 * Start the first screen's requests before React renders, all at once: left to the
 * components, the session check would wait for the first render and the inbox's calls for
 * the session (one round trip after the other). The components then find these queries
 * in flight or done under the same keys. Signed out, the inbox calls answer 401 and the
 * app goes to sign-in as it would anyway.
 */
export function prefetchFirstScreen(qc: QueryClient, location: Pick<Location, "pathname" | "search">): void {
  void qc.prefetchQuery(sessionQuery);
  if (location.pathname !== "/" && location.pathname !== "/inbox") return;
  // "/" redirects to the inbox without a query string.
  const search = location.pathname === "/" ? "" : location.search;
  void qc.prefetchInfiniteQuery(ticketListQuery(inboxFilters(parseInboxParams(new URLSearchParams(search)))));
  void qc.prefetchQuery(ticketCountsQuery);
}
