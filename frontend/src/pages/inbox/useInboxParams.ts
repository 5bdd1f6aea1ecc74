import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { INBOX_PARAM_KEYS, inboxFilters, parseInboxParams, type InboxParams } from "./inboxParams";

export { VIEWS, type InboxParams } from "./inboxParams";

/** Inbox view and filters live in the URL so they survive reloads and back-navigation. */
export function useInboxParams() {
  const [sp, setSp] = useSearchParams();
  const params = useMemo(() => parseInboxParams(sp), [sp]);

  const update = useCallback(
    (patch: Partial<InboxParams>) => {
      setSp(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const k of INBOX_PARAM_KEYS) {
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

  const filters = useMemo(() => inboxFilters(params), [params]);

  return { params, update, filters };
}
