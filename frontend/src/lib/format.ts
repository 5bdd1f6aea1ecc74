import dayjs from "dayjs";
import relativeTime from "dayjs/plugin/relativeTime";
import type { Amounts, Channel, Priority, TicketStatus } from "../api/types";

dayjs.extend(relativeTime);

export function relTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return dayjs(iso).fromNow();
}

/** "1 ticket", "42 tickets". */
export function counted(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function absTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return dayjs(iso).format("YYYY-MM-DD HH:mm");
}

export function pct(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return `${(value * 100).toFixed(digits)} %`;
}

/** Per-currency sums, each in its own currency: "€1,200.00 · $300.00" ("—" for none).
 * Amounts in different currencies are never added (no exchange rates). */
export function amounts(list: Readonly<Amounts>): string {
  if (list.length === 0) return "—";
  return list
    .map(({ currency, amount }) => new Intl.NumberFormat("en", { style: "currency", currency }).format(amount))
    .join(" · ");
}

export function hours(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (value < 1) return `${Math.round(value * 60)} min`;
  if (value < 48) return `${value.toFixed(1)} h`;
  return `${(value / 24).toFixed(1)} d`;
}

export function minutes(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return value < 90 ? `${Math.round(value)} min` : hours(value / 60);
}

export function ci(ci95: readonly number[] | null | undefined): string {
  if (!ci95) return "";
  return `95 % CI ${pct(ci95[0])}–${pct(ci95[1])}`;
}

export const CHANNEL_LABEL: Record<Channel, string> = {
  email: "Email",
  web: "Web",
  chat: "Chat",
  phone: "Phone",
  social: "Social",
  in_person: "In person",
  api: "API",
};

export const CHANNEL_COLOR: Record<Channel, string> = {
  email: "blue",
  web: "cyan",
  chat: "grape",
  phone: "teal",
  social: "pink",
  in_person: "orange",
  api: "gray",
};

export const STATUS_LABEL: Record<TicketStatus, string> = {
  new: "New",
  open: "Open",
  pending: "Pending",
  on_hold: "On hold",
  solved: "Solved",
  closed: "Closed",
};

export const STATUS_COLOR: Record<TicketStatus, string> = {
  new: "yellow",
  open: "red",
  pending: "blue",
  on_hold: "dark",
  solved: "green",
  closed: "gray",
};

export const PRIORITY_LABEL: Record<Priority, string> = {
  low: "Low",
  normal: "Normal",
  high: "High",
  urgent: "Urgent",
};

// Outline badges (all but urgent) take dark shades: their text must keep WCAG AA contrast
// on the tinted background of a selected inbox row too.
export const PRIORITY_COLOR: Record<Priority, string> = {
  low: "gray.8",
  normal: "blue.9",
  high: "#c2410c", // Mantine's darkest orange (#d9480f) is 4.3:1 on white
  urgent: "red",
};

export function channelLabel(c: string | null | undefined): string {
  if (!c) return "—";
  return (CHANNEL_LABEL as Record<string, string>)[c] ?? c;
}

export const STATUSES = Object.keys(STATUS_LABEL) as TicketStatus[];
export const PRIORITIES = Object.keys(PRIORITY_LABEL) as Priority[];
export const CHANNELS = Object.keys(CHANNEL_LABEL) as Channel[];
