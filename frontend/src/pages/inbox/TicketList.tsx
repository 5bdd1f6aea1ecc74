import { Button, Center, Loader, Skeleton, Stack, Text } from "@mantine/core";
import { startTransition, useEffect, useRef, useState } from "react";
import type { TicketSummary } from "../../api/types";
import { TicketRow } from "./TicketRow";
import classes from "./Inbox.module.css";

/** Rows in the first render: a screenful. The rest follow in a background render right
 * after, so the first rows are painted sooner (20–70 ms on a cold load than with all 50
 * at once: docs/benchmarks.md, "Web UI first load"). */
const FIRST_RENDER_ROWS = 20;

interface Props {
  tickets: TicketSummary[];
  loading: boolean;
  selected: number;
  onSelect: (index: number) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  rowRefs: React.RefObject<(HTMLAnchorElement | null)[]>;
}

export function TicketList({ tickets, loading, selected, onSelect, hasMore, loadingMore, onLoadMore, rowRefs }: Props) {
  const sentinel = useRef<HTMLDivElement>(null);
  const [allRows, setAllRows] = useState(false);
  useEffect(() => {
    if (!allRows && tickets.length > FIRST_RENDER_ROWS) startTransition(() => setAllRows(true));
  }, [allRows, tickets.length]);
  const complete = allRows || tickets.length <= FIRST_RENDER_ROWS;
  const shown = complete ? tickets : tickets.slice(0, FIRST_RENDER_ROWS);

  // Infinite scroll where supported; the button remains for keyboard users. Not before
  // the whole page is rendered: on a tall screen the sentinel would show too early.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasMore || !complete || typeof IntersectionObserver === "undefined") return;
    const obs = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !loadingMore) onLoadMore();
    });
    obs.observe(el);
    return () => obs.disconnect();
  }, [hasMore, complete, loadingMore, onLoadMore]);

  if (loading) {
    return (
      <Stack gap="xs" aria-busy="true" aria-label="Loading tickets">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} h={48} />
        ))}
      </Stack>
    );
  }
  if (tickets.length === 0) {
    return (
      <Center py={60}>
        <Text c="dimmed">No tickets here. Nice work!</Text>
      </Center>
    );
  }
  return (
    <>
      <div className={classes.list} role="list" aria-label="Tickets">
        {shown.map((t, i) => (
          <div role="listitem" key={t.id}>
            <TicketRow
              ticket={t}
              selected={i === selected}
              onFocus={() => onSelect(i)}
              ref={(el) => {
                rowRefs.current[i] = el;
              }}
            />
          </div>
        ))}
      </div>
      <div ref={sentinel} />
      {hasMore && (
        <Center mt="md">
          <Button variant="default" onClick={onLoadMore} loading={loadingMore}>
            Load more
          </Button>
        </Center>
      )}
      {!hasMore && tickets.length > 20 && (
        <Center mt="md">
          <Text size="xs" c="dimmed">
            End of list
          </Text>
        </Center>
      )}
      {loadingMore && <Loader size="xs" />}
    </>
  );
}
