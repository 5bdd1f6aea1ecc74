import type { Schedule } from "../../api/types";

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export const DAY_LABEL: Record<(typeof DAYS)[number], string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

export function defaultSchedule(): Schedule {
  const weekday: string[][] = [["09:00", "17:00"]];
  return {
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    hours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday, sat: [], sun: [] },
    holidays: [],
  };
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Returns a list of problems, empty when the schedule is valid. */
export function validateSchedule(s: Schedule): string[] {
  const problems: string[] = [];
  if (!s.timezone.trim()) problems.push("Timezone is required.");
  for (const d of DAYS) {
    for (const [a, b] of s.hours[d] ?? []) {
      if (!TIME.test(a) || !TIME.test(b)) problems.push(`${DAY_LABEL[d]}: use HH:MM times.`);
      else if (a >= b) problems.push(`${DAY_LABEL[d]}: ${a}–${b} ends before it starts.`);
    }
  }
  for (const h of s.holidays) if (!/^\d{4}-\d{2}-\d{2}$/.test(h)) problems.push(`Holiday ${h} is not YYYY-MM-DD.`);
  return problems;
}


/** Read a team's free-form schedule object; null when unset (`{}`) or malformed. */
export function parseSchedule(raw: unknown): Schedule | null {
  if (!raw || typeof raw !== "object") return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.timezone !== "string" && !r.hours) return null;
  const hours: Record<string, string[][]> = {};
  const rawHours = (r.hours && typeof r.hours === "object" ? r.hours : {}) as Record<string, unknown>;
  for (const d of DAYS) {
    const slots = rawHours[d];
    hours[d] = Array.isArray(slots)
      ? slots.filter((s): s is unknown[] => Array.isArray(s)).map((s) => [String(s[0] ?? ""), String(s[1] ?? "")])
      : [];
  }
  return {
    timezone: typeof r.timezone === "string" ? r.timezone : "UTC",
    hours,
    holidays: Array.isArray(r.holidays) ? r.holidays.map(String) : [],
  };
}
