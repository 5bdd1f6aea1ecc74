import { Badge, Table, Text, Tooltip } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { useAgents } from "../../api/tickets";
import type { CxRow, DrillMetric, HoursMode } from "../../api/types";
import { channelLabel, hours, minutes, pct } from "../../lib/format";
import type { Range } from "../../lib/period";
import { drillUrl } from "./drill";
import { durations } from "./hours";
import classes from "./Dashboard.module.css";

function Ci({ ci95 }: { ci95: readonly number[] | null | undefined }) {
  if (!ci95) return null;
  return (
    <Text span size="xs" c="dimmed" ml={4}>
      ({pct(ci95[0])}–{pct(ci95[1])})
    </Text>
  );
}

/** The report names agents by email; people know each other by name. The email shows on
 * hover (and stays the key of the drill-down links). An email no agent has any more is shown as is. */
export function AgentName({ email, names }: { email: string | null | undefined; names: Map<string, string> }) {
  if (!email) return <>—</>;
  const name = names.get(email);
  if (!name || name === email) return <>{email}</>;
  return (
    <Text span inherit title={email}>
      {name}
    </Text>
  );
}

/** A figure linking to its tickets; the figure itself starts the link's accessible name. */
function Cell({ to, children, label }: { to: string; children: ReactNode; label: string }) {
  return (
    <Link to={to} className={classes.cellLink}>
      {children}
      <span className="visually-hidden">{label}</span>
    </Link>
  );
}

const SLA_SHORT = { first_response: "FR", next_reply: "NR", resolution: "Res" } as const;

/** SLA achievement per target measured in the row: "FR 80 % · Res 95 %" (counts on hover). */
function SlaMet({ row }: { row: CxRow }) {
  const measured = row.sla ? (Object.keys(SLA_SHORT) as (keyof typeof SLA_SHORT)[]).filter((t) => row.sla![t].measured) : [];
  if (!row.sla || measured.length === 0) return <>—</>;
  const sla = row.sla;
  return (
    <Tooltip label={measured.map((t) => `${SLA_SHORT[t]}: ${sla[t].met} of ${sla[t].measured} met`).join(" · ")}>
      <Text span size="sm" tabIndex={0} data-testid="sla-met">
        {measured.map((t) => `${SLA_SHORT[t]} ${pct(sla[t].rate)}`).join(" · ")}
      </Text>
    </Tooltip>
  );
}

export function AgentChannelTable({
  rows,
  totals,
  period,
  mode = "calendar",
}: {
  rows: CxRow[];
  totals: CxRow;
  period: Range;
  mode?: HoursMode;
}) {
  const agents = useAgents();
  const names = new Map((agents.data ?? []).map((a) => [a.email, a.name]));
  if (rows.length === 0) {
    return (
      <Text c="dimmed" size="sm">
        No solved tickets in this period.
      </Text>
    );
  }
  const link = (r: CxRow, metric: DrillMetric) => drillUrl(period, metric, { agent: r.agent, channel: r.channel });
  const agentName = (r: CxRow) => (r.agent ? (names.get(r.agent) ?? r.agent) : "All agents");
  const name = (r: CxRow) => `${agentName(r)} / ${channelLabel(r.channel ?? null)}`;

  const renderRow = (r: CxRow, key: string, isTotal = false) => (
    <Table.Tr key={key} fw={isTotal ? 700 : undefined} data-testid={isTotal ? "cx-total" : "cx-row"}>
      <Table.Td>{isTotal ? "All" : <AgentName email={r.agent} names={names} />}</Table.Td>
      <Table.Td>{isTotal ? "" : channelLabel(r.channel ?? null)}</Table.Td>
      <Table.Td className={classes.num}>
        <Cell to={link(r, "solved")} label={`solved tickets for ${name(r)}`}>
          {r.solved}
        </Cell>
      </Table.Td>
      <Table.Td className={classes.num}>
        <Cell to={link(r, "not_fcr")} label={`first contact resolution for ${name(r)}`}>
          {pct(r.fcr.rate)}
        </Cell>
        <Ci ci95={r.fcr.ci95} />
      </Table.Td>
      <Table.Td className={classes.num}>{hours(durations(r, mode).avg_resolution_hours)}</Table.Td>
      <Table.Td className={classes.num}>{hours(durations(r, mode).median_resolution_hours)}</Table.Td>
      <Table.Td className={classes.num}>{hours(durations(r, mode).p90_resolution_hours)}</Table.Td>
      <Table.Td className={classes.num}>{minutes(durations(r, mode).first_response_median_minutes)}</Table.Td>
      <Table.Td className={classes.num}>
        <Cell to={link(r, "reopened")} label={`reopened tickets for ${name(r)}`}>
          {pct(r.reopen_rate, 1)}
        </Cell>
      </Table.Td>
      <Table.Td className={classes.num}>
        <Cell to={link(r, "csat")} label={`CSAT for ${name(r)}`}>
          {pct(r.csat.score)}
        </Cell>
        <Ci ci95={r.csat.ci95} />
        <Text span size="xs" c="dimmed" ml={4}>
          n={r.csat.responses}
        </Text>
      </Table.Td>
      <Table.Td className={classes.num}>
        <SlaMet row={r} />
      </Table.Td>
      <Table.Td>
        {r.low_sample && (
          <Tooltip label="Too few tickets or responses for a reliable figure; read with care.">
            <Badge color="orange" variant="light" size="sm" tabIndex={0}>
              Low sample
            </Badge>
          </Tooltip>
        )}
      </Table.Td>
    </Table.Tr>
  );

  return (
    <Table.ScrollContainer minWidth={1080}>
      <Table striped highlightOnHover verticalSpacing="xs">
        <Table.Caption>
          Figures in parentheses are 95 % confidence intervals. Times are in{" "}
          {mode === "business" ? "business hours (each team's schedule)" : "calendar hours"}. Click a figure to see its
          tickets.
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Agent</Table.Th>
            <Table.Th scope="col">Channel</Table.Th>
            <Table.Th scope="col">Solved</Table.Th>
            <Table.Th scope="col">FCR</Table.Th>
            <Table.Th scope="col">Avg resolution</Table.Th>
            <Table.Th scope="col">Median</Table.Th>
            <Table.Th scope="col">P90</Table.Th>
            <Table.Th scope="col">First response</Table.Th>
            <Table.Th scope="col">Reopen</Table.Th>
            <Table.Th scope="col">CSAT</Table.Th>
            <Table.Th scope="col">SLA met</Table.Th>
            <Table.Th scope="col">
              <span className="visually-hidden">Sample</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{rows.map((r, i) => renderRow(r, `${r.agent}-${r.channel}-${i}`))}</Table.Tbody>
        <Table.Tfoot>{renderRow(totals, "totals", true)}</Table.Tfoot>
      </Table>
    </Table.ScrollContainer>
  );
}
