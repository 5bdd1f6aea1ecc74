import type { Condition, Conditions, SegmentField } from "../../api/types";

/** A condition row while it is being edited: the value is kept as typed. */
export interface DraftCondition {
  key: number;
  field: string;
  op: string;
  value: string;
}

const NO_VALUE = new Set(["present", "blank"]);
const LISTS = new Set(["in", "not_in"]);

/** The condition a row stands for, or null while it is incomplete. */
export function toCondition(row: DraftCondition, fields: SegmentField[]): Condition | null {
  const field = fields.find((f) => f.name === row.field);
  if (!field || !row.op) return null;
  if (NO_VALUE.has(row.op)) return { field: row.field, op: row.op, value: null };
  const raw = row.value.trim();
  if (!raw) return null;
  if (LISTS.has(row.op)) {
    const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
    const values = field.type === "number" ? items.map(Number) : items;
    return { field: row.field, op: row.op, value: values };
  }
  if (field.type === "number" || field.type === "days") {
    const n = Number(raw);
    return Number.isFinite(n) ? { field: row.field, op: row.op, value: n } : null;
  }
  if (field.type === "bool") return { field: row.field, op: row.op, value: raw === "true" };
  return { field: row.field, op: row.op, value: raw };
}

/** The conditions object of the complete rows. */
export function toConditions(rows: DraftCondition[], match: "all" | "any", fields: SegmentField[]): Conditions {
  const complete = rows.map((r) => toCondition(r, fields)).filter((c): c is Condition => c !== null);
  return match === "all" ? { all: complete, any: [] } : { all: [], any: complete };
}

export function needsValue(op: string): boolean {
  return !NO_VALUE.has(op);
}

export const FIELD_LABELS: Record<string, string> = {
  "customer.email": "Email",
  "customer.name": "Name",
  "customer.company": "Company",
  "customer.tags": "Tags",
  "customer.channels": "Channels used",
  "customer.last_contact_days": "Days since last contact",
  "customer.tickets": "Tickets in the last 365 days",
  "customer.nps_category": "NPS category",
  "customer.latest_csat": "Latest CSAT",
  "customer.marketing_consent": "Marketing consent",
};

export const OP_LABELS: Record<string, string> = {
  is: "is",
  is_not: "is not",
  in: "is one of",
  not_in: "is none of",
  contains: "contains",
  not_contains: "does not contain",
  gt: "more than",
  gte: "at least",
  lt: "less than",
  lte: "at most",
  present: "is set",
  blank: "is empty",
};
