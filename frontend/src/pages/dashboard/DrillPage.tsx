import { Anchor, Breadcrumbs, Loader, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { Link, useSearchParams } from "react-router";
import { useCxDrill } from "../../api/reports";
import type { DrillItem, DrillMetric } from "../../api/types";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";
import { absTime, channelLabel, hours } from "../../lib/format";
import { METRIC_LABEL } from "./drill";

const COLUMNS: Column<DrillItem>[] = [
  {
    key: "ticket",
    header: "Ticket",
    render: (i) => (
      <Anchor component={Link} to={`/tickets/${i.ticket_id}`}>
        #{i.number}
      </Anchor>
    ),
  },
  {
    key: "subject",
    header: "Subject",
    render: (i) => (
      <Anchor component={Link} to={`/tickets/${i.ticket_id}`} c="inherit">
        {i.subject}
      </Anchor>
    ),
  },
  { key: "agent", header: "Agent", render: (i) => i.agent ?? "—" },
  { key: "channel", header: "Channel", render: (i) => channelLabel(i.channel) },
  { key: "resolution", header: "Resolution", render: (i) => hours(i.resolution_hours) },
  { key: "business", header: "In business hours", render: (i) => hours(i.resolution_business_hours) },
  { key: "reason", header: "Why it counts", render: (i) => i.reason },
];

export function DrillPage() {
  const [sp, setSp] = useSearchParams();
  const metric = (sp.get("metric") as DrillMetric | null) ?? "solved";
  const query = {
    from: sp.get("from") ?? "",
    to: sp.get("to") ?? "",
    agent: sp.get("agent"),
    channel: sp.get("channel"),
    team: sp.get("team"),
    metric,
  };
  const drill = useCxDrill(query);
  const scope = [query.agent, query.channel ? channelLabel(query.channel) : null, query.team].filter(Boolean).join(" · ");

  return (
    <Stack p="md" maw={1100} mx="auto">
      <Breadcrumbs>
        <Anchor component={Link} to="/dashboard" size="sm">
          Dashboard
        </Anchor>
        <Text size="sm">Drill-down</Text>
      </Breadcrumbs>
      <div>
        <Title order={1} size="h3">
          {METRIC_LABEL[metric] ?? metric}
        </Title>
        <Text size="sm" c="dimmed">
          {absTime(query.from)} – {absTime(query.to)}
          {scope ? ` · ${scope}` : ""}
        </Text>
      </div>
      <SegmentedControl
        aria-label="Which tickets"
        value={metric}
        onChange={(m) => {
          const next = new URLSearchParams(sp);
          next.set("metric", m);
          setSp(next, { replace: true });
        }}
        data={(Object.keys(METRIC_LABEL) as DrillMetric[]).map((m) => ({ value: m, label: METRIC_LABEL[m] }))}
        style={{ alignSelf: "flex-start" }}
      />
      {drill.isError ? (
        <QueryError error={drill.error} onRetry={() => void drill.refetch()} />
      ) : drill.isPending ? (
        <Loader aria-label="Loading tickets" />
      ) : drill.data.items.length === 0 ? (
        <Text c="dimmed">No tickets.</Text>
      ) : (
        <DataTable
          striped
          highlightOnHover
          columns={COLUMNS}
          rows={drill.data.items}
          rowKey={(i) => i.ticket_id}
          rowTestId="drill-row"
        />
      )}
    </Stack>
  );
}
