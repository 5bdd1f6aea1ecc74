import { Badge } from "@mantine/core";
import type { Channel, Priority, TicketStatus } from "../api/types";
import {
  CHANNEL_COLOR,
  CHANNEL_LABEL,
  PRIORITY_COLOR,
  PRIORITY_LABEL,
  STATUS_COLOR,
  STATUS_LABEL,
} from "../lib/format";

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
