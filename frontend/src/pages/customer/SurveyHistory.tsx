import { Badge, Text } from "@mantine/core";
import { Link } from "react-router";
import type { SurveyResult } from "../../api/types";
import { DataTable, type Column } from "../../components/DataTable";
import { absTime } from "../../lib/format";

function scoreColor(s: SurveyResult): string {
  if (s.kind === "nps") return s.score >= 9 ? "green" : s.score >= 7 ? "yellow" : "red";
  if (s.kind === "ces") return s.score >= 5 ? "green" : s.score >= 3 ? "yellow" : "red";
  return s.score >= 4 ? "green" : s.score === 3 ? "yellow" : "red";
}

const SCALE: Record<SurveyResult["kind"], string> = { csat: "/5", nps: "/10", ces: "/7" };

const COLUMNS: Column<SurveyResult>[] = [
  { key: "date", header: "Date", render: (s) => absTime(s.created_at) },
  { key: "survey", header: "Survey", render: (s) => s.kind.toUpperCase() },
  {
    key: "score",
    header: "Score",
    render: (s) => (
      <Badge color={scoreColor(s)} variant="light">
        {s.score}
        {SCALE[s.kind]}
      </Badge>
    ),
  },
  { key: "comment", header: "Comment", render: (s) => s.comment ?? "—" },
  {
    key: "ticket",
    header: "Ticket",
    render: (s) => (s.ticket_id !== null ? <Link to={`/tickets/${s.ticket_id}`}>Open</Link> : "—"),
  },
];

export function SurveyHistory({ surveys }: { surveys: SurveyResult[] }) {
  if (surveys.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No survey responses yet.
      </Text>
    );
  const sorted = [...surveys].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <DataTable striped columns={COLUMNS} rows={sorted} rowKey={(_s, i) => i} />
  );
}
