import type { Lead } from "../../api/sales";

export interface BoardColumn {
  stage: string;
  leads: Lead[];
  /** Sum of the leads' values (in the desk's currency). */
  total: number;
}

/** The board's columns: one per stage, in pipeline order, each with its leads and their total. */
export function boardColumns(stages: readonly string[], leads: readonly Lead[]): BoardColumn[] {
  return stages.map((stage) => {
    const inStage = leads.filter((l) => l.stage === stage);
    const cents = inStage.reduce((sum, l) => sum + Math.round(l.value * 100), 0);
    return { stage, leads: inStage, total: cents / 100 };
  });
}

export function money(value: number, currency: string): string {
  return `${value.toLocaleString("en", { minimumFractionDigits: 0, maximumFractionDigits: 2 })} ${currency}`;
}

export function stageLabel(stage: string): string {
  return stage.charAt(0).toUpperCase() + stage.slice(1).replaceAll("_", " ");
}
