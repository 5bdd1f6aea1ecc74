import { Anchor, Badge, Divider, Group, Paper, Skeleton, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useCustomer, useCustomerTimeline } from "../../api/customers";
import type { TicketDetail } from "../../api/types";
import { ChannelBadge, StatusBadge } from "../../components/Badges";
import { QueryError } from "../../components/QueryError";
import { relTime } from "../../lib/format";
import { KIND_LABEL } from "../customer/timelineKinds";

export function CustomerCard({ ticket }: { ticket: TicketDetail }) {
  const customer = useCustomer(ticket.customer.id);
  const timeline = useCustomerTimeline(ticket.customer.id);
  const others = (customer.data?.tickets ?? []).filter((t) => t.id !== ticket.id).slice(0, 5);
  // The customer's other touchpoints: messages on other tickets, surveys, campaigns, journey.
  const recent = (timeline.data?.pages[0]?.items ?? []).filter((i) => i.ticket_id !== ticket.id).slice(0, 5);

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="customer-title">
      <Title order={2} size="h5" id="customer-title">
        <Anchor component={Link} to={`/customers/${ticket.customer.id}`} inherit>
          {ticket.customer.name}
        </Anchor>
      </Title>
      {ticket.customer.email && (
        <Text size="sm" c="dimmed">
          {ticket.customer.email}
        </Text>
      )}
      {customer.data?.organization && <Text size="sm">{customer.data.organization}</Text>}
      {customer.isError && <QueryError error={customer.error} />}

      <Divider my="sm" label="Other tickets" labelPosition="left" />
      {customer.isPending ? (
        <Skeleton h={40} />
      ) : others.length === 0 ? (
        <Text size="sm" c="dimmed">
          No other tickets.
        </Text>
      ) : (
        <Stack gap={6}>
          {others.map((t) => (
            <Group key={t.id} gap="xs" wrap="nowrap" justify="space-between">
              <Anchor component={Link} to={`/tickets/${t.id}`} size="sm" lineClamp={1}>
                #{t.number} {t.subject}
              </Anchor>
              <StatusBadge status={t.status} />
            </Group>
          ))}
        </Stack>
      )}

      <Divider my="sm" label="Recent touchpoints (all channels)" labelPosition="left" />
      {timeline.isPending ? (
        <Skeleton h={40} />
      ) : recent.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing else yet.
        </Text>
      ) : (
        <Stack gap={8}>
          {recent.map((i) => (
            <div key={i.key}>
              <Group gap={6} wrap="nowrap">
                {i.message ? (
                  <ChannelBadge channel={i.message.channel} />
                ) : (
                  <Badge size="xs" variant="light" color={KIND_LABEL[i.kind]?.color ?? "gray"} style={{ flexShrink: 0 }}>
                    {KIND_LABEL[i.kind]?.label ?? i.kind}
                  </Badge>
                )}
                {i.message && !i.message.public && (
                  <Badge size="xs" color="yellow" c="dark" style={{ flexShrink: 0 }}>
                    Internal
                  </Badge>
                )}
                {i.ticket_id !== null ? (
                  <Anchor component={Link} to={`/tickets/${i.ticket_id}`} size="xs" lineClamp={1}>
                    #{i.ticket_id} {i.ticket_subject}
                  </Anchor>
                ) : (
                  <Text size="xs" lineClamp={1}>
                    {i.title}
                  </Text>
                )}
                <Text size="xs" c="dimmed" ml="auto" style={{ whiteSpace: "nowrap" }}>
                  {relTime(i.at)}
                </Text>
              </Group>
              <Text size="xs" c="dimmed" lineClamp={2}>
                {i.message ? i.message.body_text : i.text}
              </Text>
            </div>
          ))}
        </Stack>
      )}
    </Paper>
  );
}
