import { Anchor, Breadcrumbs, Center, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router";
import { useTicket } from "../../api/tickets";
import { ChannelBadge, PriorityBadge, SlaBadge, StatusBadge } from "../../components/Badges";
import { QueryError } from "../../components/QueryError";
import { absTime } from "../../lib/format";
import { AuditTrail } from "./AuditTrail";
import { LeadCard } from "../sales/LeadCard";
import { CustomerCard } from "./CustomerCard";
import { LogCallButton } from "./LogCallButton";
import { ReplyBox } from "./ReplyBox";
import { Timeline } from "./Timeline";
import { SatisfactionCard } from "./SatisfactionCard";
import { TicketProperties } from "./TicketProperties";
import classes from "./Ticket.module.css";

export function TicketPage() {
  const id = Number(useParams().id);
  const ticket = useTicket(id);

  if (!Number.isFinite(id)) return <QueryError error={new Error("Invalid ticket id")} />;
  if (ticket.isPending) {
    return (
      <Center py={80}>
        <Loader aria-label="Loading ticket" />
      </Center>
    );
  }
  if (ticket.isError) {
    return (
      <Stack p="md" maw={720} mx="auto">
        <QueryError error={ticket.error} onRetry={() => void ticket.refetch()} title="Could not load the ticket" />
      </Stack>
    );
  }
  const t = ticket.data;
  return (
    <div className={classes.layout}>
      <Stack gap="md" style={{ minWidth: 0 }}>
        <div>
          <Breadcrumbs mb={4}>
            <Anchor component={Link} to="/inbox" size="sm">
              Inbox
            </Anchor>
            <Text size="sm">#{t.number}</Text>
          </Breadcrumbs>
          <Title order={1} size="h3">
            {t.subject || "(no subject)"}
          </Title>
          <Group gap="xs" mt={6}>
            <StatusBadge status={t.status} />
            <PriorityBadge priority={t.priority} />
            <ChannelBadge channel={t.channel} />
            <SlaBadge sla={t.sla} />
            <Text size="xs" c="dimmed">
              Opened {absTime(t.created_at)}
            </Text>
            {t.follow_up_of !== null && (
              <Anchor component={Link} to={`/tickets/${t.follow_up_of}`} size="xs">
                Follow-up of ticket {t.follow_up_of}
              </Anchor>
            )}
          </Group>
        </div>
        <Timeline items={t.interactions} />
        <Group justify="flex-end">
          <LogCallButton ticket={t} />
        </Group>
        <ReplyBox ticket={t} />
      </Stack>
      <Stack gap="md" component="aside" aria-label="Ticket details">
        <TicketProperties ticket={t} />
        <SatisfactionCard satisfaction={t.satisfaction} />
        <CustomerCard ticket={t} />
        <LeadCard ticket={t} />
        <AuditTrail events={t.events} />
      </Stack>
    </div>
  );
}
