import type { Lead } from "../../api/sales";
import type { Amounts } from "../../api/types";
import { amounts } from "../../lib/format";

export interface BoardColumn {
  stage: string;
  leads: Lead[];
  /** The leads' values summed per currency, sorted by currency (never added across). */
  total: Amounts;
}

/** The board's columns: one per stage, in pipeline order, each with its leads and their total. */
export function boardColumns(stages: readonly string[], leads: readonly Lead[]): BoardColumn[] {
  return stages.map((stage) => {
    const inStage = leads.filter((l) => l.stage === stage);
    return { stage, leads: inStage, total: perCurrency(inStage) };
  });
}

/** The sum of the leads' values in each currency one of them has, as the lead report's
 * figures are (the server's sales/money.py): summed in cents, so 0.1 + 0.2 is 0.3. */
export function perCurrency(leads: readonly Pick<Lead, "value" | "currency">[]): Amounts {
  const cents = new Map<string, number>();
  for (const l of leads) cents.set(l.currency, (cents.get(l.currency) ?? 0) + Math.round(l.value * 100));
  return [...cents.keys()].sort().map((currency) => ({ currency, amount: (cents.get(currency) ?? 0) / 100 }));
}

/** One lead's value, formatted as the totals are ("€1,200.00"). */
export function money(value: number, currency: string): string {
  return amounts([{ currency, amount: value }]);
}

export function stageLabel(stage: string): string {
  return stage.charAt(0).toUpperCase() + stage.slice(1).replaceAll("_", " ");
}
