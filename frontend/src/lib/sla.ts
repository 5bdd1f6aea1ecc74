import type { TicketSummary } from "../api/types";

export type SlaState = NonNullable<TicketSummary["sla"]>;
export type SlaTarget = SlaState["target"];

export const SLA_TARGET_LABEL: Record<SlaTarget, string> = {
  first_response: "First response",
  next_reply: "Next reply",
  resolution: "Resolution",
};

export const SLA_TARGETS = Object.keys(SLA_TARGET_LABEL) as SlaTarget[];

/** A span of minutes as the badge says it: "45 min", "2 h", "1 h 30 min", "3 d". */
export function span(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return `${m} min`;
  if (m < 48 * 60) {
    const h = Math.floor(m / 60);
    const rest = m % 60;
    return rest && h < 10 ? `${h} h ${rest} min` : `${Math.round(m / 60)} h`;
  }
  return `${Math.round(m / 1440)} d`;
}

/** The badge text: "due in 2 h", "breached 15 min ago", "paused". */
export function slaLabel(sla: SlaState, now: Date = new Date()): string {
  if (sla.due_at === null) return "paused";
  const minutes = (new Date(sla.due_at).getTime() - now.getTime()) / 60_000;
  return minutes > 0 ? `due in ${span(minutes)}` : `breached ${span(-minutes)} ago`;
}

/** Red once breached, orange within the last hour, grey while paused, else blue. */
export function slaColor(sla: SlaState, now: Date = new Date()): string {
  if (sla.due_at === null) return "gray";
  const minutes = (new Date(sla.due_at).getTime() - now.getTime()) / 60_000;
  if (minutes <= 0) return "red";
  return minutes <= 60 ? "orange" : "blue";
}
