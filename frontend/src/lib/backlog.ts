import dayjs from "dayjs";
import type { BacklogKind } from "../api/types";
import { counted } from "./format";

/** Rows due longer than this mean the worker is down or behind (it takes a row within
 * a second or two when it keeps up; the sweep catches a lost kick within a minute). */
export const LATE_SECONDS = 60;

const NOUN: Record<string, [string, string]> = {
  event: ["event", "events"],
  email: ["email", "emails"],
  webhook: ["webhook post", "webhook posts"],
  channel: ["chat/social reply", "chat/social replies"],
};

function count(n: number, kind: string): string {
  const [one, many] = NOUN[kind] ?? [kind, kind];
  return counted(n, one, many);
}

/** How long the oldest due row has waited, in seconds, at the time of the check. */
export function waitedSeconds(k: BacklogKind, checkedAt: string): number {
  return k.oldest_due_at ? Math.max(0, dayjs(checkedAt).diff(dayjs(k.oldest_due_at), "second")) : 0;
}

export function isLate(k: BacklogKind, checkedAt: string): boolean {
  return k.due > 0 && waitedSeconds(k, checkedAt) > LATE_SECONDS;
}

/** "2 events due, the oldest for 5 min" / "no events due". */
export function dueText(k: BacklogKind, checkedAt: string): string {
  if (k.due === 0) return `no ${NOUN[k.kind]?.[1] ?? k.kind} due`;
  const waited = waitedSeconds(k, checkedAt);
  const age = waited < 60 ? `${waited} s` : waited < 3600 ? `${Math.floor(waited / 60)} min` : `${Math.floor(waited / 3600)} h`;
  return `${count(k.due, k.kind)} due, the oldest for ${age}`;
}

/** The whole line of a kind: due, then what is scheduled, failed or unknown. */
export function backlogText(k: BacklogKind, checkedAt: string): string {
  const parts = [dueText(k, checkedAt)];
  if (k.scheduled) parts.push(`${k.scheduled} scheduled`);
  if (k.failed) parts.push(`${k.failed} failed`);
  if (k.unknown) parts.push(`${k.unknown} unknown`);
  return parts.join(" · ");
}
