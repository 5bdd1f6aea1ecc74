import { Button, Group, Kbd, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { IconSearch } from "@tabler/icons-react";
import { useCallback, useMemo, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { useTicketList } from "../../api/tickets";
import { QueryError } from "../../components/QueryError";
import { InboxFilters } from "./InboxFilters";
import { TicketList } from "./TicketList";
import { useInboxParams, VIEWS } from "./useInboxParams";
import { useListKeyboard } from "./useListKeyboard";
import { ViewList } from "./ViewList";
import classes from "./Inbox.module.css";

export function InboxPage() {
  const { params, update, filters } = useInboxParams();
  const list = useTicketList(filters);
  const navigate = useNavigate();
  const searchRef = useRef<HTMLInputElement>(null);
  const rowRefs = useRef<(HTMLAnchorElement | null)[]>([]);
  const [selected, setSelected] = useState(0);
  const [showFilters, setShowFilters] = useState(false);
  const [search, setSearch] = useState(params.q ?? "");
  const pushSearch = useDebouncedCallback((q: string) => update({ q: q.trim() || null }), 300);

  const tickets = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const current = Math.min(selected, Math.max(0, tickets.length - 1));

  const move = useCallback((i: number) => {
    setSelected(i);
    rowRefs.current[i]?.focus();
    rowRefs.current[i]?.scrollIntoView?.({ block: "nearest" });
  }, []);
  const open = useCallback(
    (i: number) => {
      const t = tickets[i];
      if (t) navigate(`/tickets/${t.id}`);
    },
    [tickets, navigate],
  );
  const focusSearch = useCallback(() => searchRef.current?.focus(), []);
  useListKeyboard({ count: tickets.length, selected: current, onMove: move, onOpen: open, onSearch: focusSearch });

  const viewLabel = VIEWS.find((v) => v.key === params.view)?.label ?? "Tickets";
  const loadMore = useCallback(() => {
    if (list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
  }, [list]);

  return (
    <div className={classes.layout}>
      <aside className={classes.sidebar}>
        <ViewList
          value={params.view}
          onChange={(view) => {
            setSelected(0);
            update({ view });
          }}
        />
        <div className={classes.filtersToggle}>
          <Button
            variant="subtle"
            size="xs"
            onClick={() => setShowFilters((v) => !v)}
            aria-expanded={showFilters}
            aria-controls="inbox-filters"
          >
            {showFilters ? "Hide filters" : "Show filters"}
          </Button>
        </div>
        <div id="inbox-filters" className={classes.filters} data-open={showFilters || undefined}>
          <InboxFilters params={params} onChange={(p) => (setSelected(0), update(p))} />
        </div>
      </aside>
      <section className={classes.content} aria-labelledby="inbox-title">
        <Group justify="space-between" mb="md" wrap="wrap" gap="sm">
          <Title order={1} size="h3" id="inbox-title">
            {viewLabel}
          </Title>
          <TextInput
            ref={searchRef}
            aria-label="Search tickets"
            placeholder="Search tickets…"
            leftSection={<IconSearch size={16} aria-hidden />}
            rightSection={<Kbd size="xs">/</Kbd>}
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              pushSearch(e.currentTarget.value);
            }}
            onKeyDown={(e) => {
              if (e.key === "Escape") e.currentTarget.blur();
              if (e.key === "ArrowDown" && tickets.length) {
                e.preventDefault();
                move(0);
              }
            }}
            w={{ base: "100%", sm: 320 }}
            type="search"
          />
        </Group>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <TicketList
            tickets={tickets}
            loading={list.isPending}
            selected={current}
            onSelect={setSelected}
            hasMore={!!list.hasNextPage}
            loadingMore={list.isFetchingNextPage}
            onLoadMore={loadMore}
            rowRefs={rowRefs}
          />
        )}
        <Text size="xs" c="dimmed" mt="md">
          <Kbd size="xs">j</Kbd>/<Kbd size="xs">k</Kbd> move · <Kbd size="xs">Enter</Kbd> open · <Kbd size="xs">/</Kbd>{" "}
          search
        </Text>
      </section>
    </div>
  );
}
