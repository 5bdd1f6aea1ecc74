import { Badge, NavLink, Stack, Text } from "@mantine/core";
import { Link } from "react-router";
import { useTicketCounts } from "../../api/tickets";
import type { TicketView } from "../../api/types";
import { VIEWS } from "./useInboxParams";

export function ViewList({ value, onChange }: { value: TicketView; onChange: (v: TicketView) => void }) {
  const counts = useTicketCounts();
  return (
    <nav aria-label="Ticket views">
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" mb={4} px="xs">
        Views
      </Text>
      <Stack gap={2}>
        {VIEWS.map((v) => (
          <NavLink
            key={v.key}
            component="button"
            type="button"
            label={v.label}
            active={value === v.key}
            aria-current={value === v.key ? "page" : undefined}
            onClick={() => onChange(v.key)}
            data-testid={`view-${v.key}`}
            rightSection={
              <Badge
                size="sm"
                variant={value === v.key ? "filled" : "light"}
                color={value === v.key ? "blue" : "gray"}
                data-testid={`view-count-${v.key}`}
                aria-label={`${counts.data?.[v.key] ?? 0} tickets`}
              >
                {counts.data ? counts.data[v.key] : "…"}
              </Badge>
            }
            styles={{ root: { borderRadius: "var(--mantine-radius-md)" } }}
          />
        ))}
        <NavLink
          component={Link}
          to="/breaching"
          label="Breaching soon"
          data-testid="view-breaching"
          styles={{ root: { borderRadius: "var(--mantine-radius-md)" } }}
        />
      </Stack>
    </nav>
  );
}
