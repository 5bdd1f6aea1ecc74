import { Group, Text } from "@mantine/core";
import { forwardRef } from "react";
import { Link } from "react-router";
import type { TicketSummary } from "../../api/types";
import { ChannelBadge, PriorityBadge, SlaBadge, StatusBadge } from "../../components/Badges";
import { absTime, relTime } from "../../lib/format";
import classes from "./Inbox.module.css";

interface Props {
  ticket: TicketSummary;
  selected: boolean;
  onFocus: () => void;
}

export const TicketRow = forwardRef<HTMLAnchorElement, Props>(function TicketRow({ ticket, selected, onFocus }, ref) {
  return (
    <Link
      ref={ref}
      to={`/tickets/${ticket.id}`}
      className={classes.row}
      data-selected={selected || undefined}
      data-testid="ticket-row"
      data-ticket-id={ticket.id}
      aria-current={selected ? "true" : undefined}
      onFocus={onFocus}
      tabIndex={selected ? 0 : -1}
    >
      <Text size="sm" c="dimmed" className={classes.number}>
        #{ticket.number}
      </Text>
      <div className={classes.main}>
        <Text size="sm" fw={ticket.status === "new" ? 700 : 500} lineClamp={1} className={classes.subject}>
          {ticket.subject || "(no subject)"}
        </Text>
        <Group gap={6} wrap="nowrap">
          <Text size="xs" c="dimmed" lineClamp={1}>
            {ticket.customer.name}
            {ticket.customer.email ? ` · ${ticket.customer.email}` : ""}
          </Text>
          {ticket.tags.slice(0, 3).map((t, i) => (
            <Text key={`${t}-${i}`} size="xs" c="dimmed" className={classes.tag}>
              #{t}
            </Text>
          ))}
        </Group>
      </div>
      <Group gap={6} wrap="nowrap" className={classes.badges}>
        <ChannelBadge channel={ticket.channel} />
        <StatusBadge status={ticket.status} />
        <PriorityBadge priority={ticket.priority} />
        <SlaBadge sla={ticket.sla} />
      </Group>
      <Text size="xs" className={classes.assignee} c={ticket.assignee ? undefined : "dimmed"} lineClamp={1}>
        {ticket.assignee?.name ?? "Unassigned"}
      </Text>
      <Text size="xs" c="dimmed" className={classes.time} title={absTime(ticket.updated_at)}>
        <time dateTime={ticket.updated_at}>{relTime(ticket.updated_at)}</time>
      </Text>
    </Link>
  );
});
