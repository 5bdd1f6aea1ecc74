import { Group, Paper, Text, Title } from "@mantine/core";
import type { TicketDetail } from "../../api/types";

/** The customer's CSAT answer for this ticket (the latest one counts), with their words. */
export function SatisfactionCard({ satisfaction }: { satisfaction: TicketDetail["satisfaction"] }) {
  if (!satisfaction) return null;
  const satisfied = satisfaction.rating >= 4;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="csat-title">
      <Title order={2} size="h5" id="csat-title" mb="xs">
        Customer satisfaction
      </Title>
      <Group gap="xs">
        <Text fw={700} c={satisfied ? "green" : "red"} data-testid="csat-rating">
          {satisfaction.rating} / 5
        </Text>
        <Text size="sm" c="dimmed">
          {satisfied ? "satisfied" : "not satisfied"}
          {satisfaction.ces_score !== null && ` · effort ${satisfaction.ces_score} / 7`}
        </Text>
      </Group>
      {satisfaction.comment && (
        <Text size="sm" mt="xs" fs="italic">
          “{satisfaction.comment}”
        </Text>
      )}
    </Paper>
  );
}
