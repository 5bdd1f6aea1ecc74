import { Badge, Tooltip } from "@mantine/core";
import type { Channel, Priority, TicketStatus } from "../api/types";
import {
  CHANNEL_COLOR,
  CHANNEL_LABEL,
  PRIORITY_COLOR,
  PRIORITY_LABEL,
  STATUS_COLOR,
  STATUS_LABEL,
} from "../lib/format";
import { SLA_TARGET_LABEL, slaColor, slaLabel, type SlaState } from "../lib/sla";

export function ChannelBadge({ channel }: { channel: Channel | string }) {
  const c = channel as Channel;
  return (
    <Badge size="sm" variant="light" color={CHANNEL_COLOR[c] ?? "gray"} data-testid="channel-badge" style={{ flexShrink: 0 }}>
      {CHANNEL_LABEL[c] ?? channel}
    </Badge>
  );
}

export function StatusBadge({ status }: { status: TicketStatus }) {
  return (
    <Badge size="sm" variant="filled" color={STATUS_COLOR[status] ?? "gray"} data-testid="status-badge" style={{ flexShrink: 0 }}>
      {STATUS_LABEL[status] ?? status}
    </Badge>
  );
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  return (
    <Badge size="sm" variant={priority === "urgent" ? "filled" : "outline"} color={PRIORITY_COLOR[priority] ?? "gray"} style={{ flexShrink: 0 }}>
      {PRIORITY_LABEL[priority] ?? priority}
    </Badge>
  );
}

/** The SLA target due next: "due in 2 h", "breached 15 min ago" or "paused". */
export function SlaBadge({ sla, now }: { sla: SlaState | null | undefined; now?: Date }) {
  if (!sla) return null;
  const label = slaLabel(sla, now);
  const target = SLA_TARGET_LABEL[sla.target];
  return (
    <Tooltip label={sla.due_at ? `${target} due ${new Date(sla.due_at).toLocaleString()}` : `${target}: clock paused`}>
      <Badge
        size="sm"
        variant={sla.due_at && label.startsWith("breached") ? "filled" : "light"}
        color={slaColor(sla, now)}
        data-testid="sla-badge"
        aria-label={`${target} ${label}`}
        style={{ flexShrink: 0 }}
      >
        {label}
      </Badge>
    </Tooltip>
  );
}
