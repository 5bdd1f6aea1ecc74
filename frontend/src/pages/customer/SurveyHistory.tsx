import { Badge, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import type { SurveyResult } from "../../api/types";
import { absTime } from "../../lib/format";

function scoreColor(s: SurveyResult): string {
  if (s.kind === "nps") return s.score >= 9 ? "green" : s.score >= 7 ? "yellow" : "red";
  if (s.kind === "ces") return s.score >= 5 ? "green" : s.score >= 3 ? "yellow" : "red";
  return s.score >= 4 ? "green" : s.score === 3 ? "yellow" : "red";
}

const SCALE: Record<SurveyResult["kind"], string> = { csat: "/5", nps: "/10", ces: "/7" };

export function SurveyHistory({ surveys }: { surveys: SurveyResult[] }) {
  if (surveys.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No survey responses yet.
      </Text>
    );
  const sorted = [...surveys].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <Table striped>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Date</Table.Th>
          <Table.Th>Survey</Table.Th>
          <Table.Th>Score</Table.Th>
          <Table.Th>Comment</Table.Th>
          <Table.Th>Ticket</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {sorted.map((s, i) => (
          <Table.Tr key={i}>
            <Table.Td>{absTime(s.created_at)}</Table.Td>
            <Table.Td>{s.kind.toUpperCase()}</Table.Td>
            <Table.Td>
              <Badge color={scoreColor(s)} variant="light">
                {s.score}
                {SCALE[s.kind]}
              </Badge>
            </Table.Td>
            <Table.Td>{s.comment ?? "—"}</Table.Td>
            <Table.Td>{s.ticket_id !== null ? <Link to={`/tickets/${s.ticket_id}`}>Open</Link> : "—"}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
