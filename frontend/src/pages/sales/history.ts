import type { LeadHistoryLine } from "../../api/sales";
import { stageLabel } from "./board";

/** One history line of a lead, in words. */
export function historyText(line: LeadHistoryLine, leadId: number): string {
  const other = line.lead_id !== leadId ? ` (lead ${line.lead_id})` : "";
  const changes = line.changes as Record<string, unknown>;
  switch (line.kind) {
    case "created":
      return `Created in ${stageLabel(line.to_stage ?? "")}${other}`;
    case "stage":
      return `Moved from ${stageLabel(line.from_stage ?? "")} to ${stageLabel(line.to_stage ?? "")}${other}`;
    case "contact":
      return `Another contact${changes.ticket_id ? ` (ticket ${String(changes.ticket_id)})` : ""} folded in${other}`;
    case "merged":
      return `Lead ${String(changes.lead_id)} merged into this one`;
    case "changed":
      return Object.entries(changes)
        .map(([field, pair]) => {
          const [from, to] = pair as [unknown, unknown];
          return `${field.replace("_id", "").replaceAll("_", " ")}: ${String(from ?? "—")} → ${String(to ?? "—")}`;
        })
        .join("; ");
    default:
      return line.kind;
  }
}
