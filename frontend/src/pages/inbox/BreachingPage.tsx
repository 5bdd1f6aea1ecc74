import { Group, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { useBreachingTickets } from "../../api/tickets";
import { QueryError } from "../../components/QueryError";
import { TicketList } from "./TicketList";

const WINDOWS = ["1", "4", "8", "24"];

/** Tickets whose next SLA target is due within N hours or already breached, soonest first. */
export function BreachingPage() {
  const [sp, setSp] = useSearchParams();
  const hours = WINDOWS.includes(sp.get("hours") ?? "") ? (sp.get("hours") as string) : "4";
  const list = useBreachingTickets(Number(hours));
  const rowRefs = useRef<(HTMLAnchorElement | null)[]>([]);
  const [selected, setSelected] = useState(0);
  return (
    <Stack p="md" maw={1200} mx="auto">
      <Group justify="space-between" wrap="wrap">
        <Title order={1} size="h3">
          Breaching soon
        </Title>
        <Group gap="xs">
          <Text size="sm" c="dimmed">
            Due within
          </Text>
          <SegmentedControl
            aria-label="Due within"
            value={hours}
            onChange={(v) => setSp({ hours: v }, { replace: true })}
            data={WINDOWS.map((h) => ({ value: h, label: `${h} h` }))}
          />
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        Open tickets whose next SLA target is due within {hours} h or already breached, soonest first.
      </Text>
      {list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <TicketList
          tickets={list.data?.items ?? []}
          loading={list.isPending}
          selected={selected}
          onSelect={setSelected}
          hasMore={false}
          loadingMore={false}
          onLoadMore={() => undefined}
          rowRefs={rowRefs}
        />
      )}
    </Stack>
  );
}
