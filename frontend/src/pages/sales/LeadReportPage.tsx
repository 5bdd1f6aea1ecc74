import { Anchor, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { leadReportCsvUrl, useLeadReport, type LeadReport } from "../../api/sales";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";
import { amounts, pct } from "../../lib/format";
import { stageLabel } from "./board";

const number = (v: number) => v.toLocaleString("en", { maximumFractionDigits: 2 });
const rate = (v: number | null) => (v === null ? "—" : pct(v));

/** Pipeline value by stage, conversion by source channel, median time in stage, win rate
 * per owner; the same figures as CSV. Money is shown per currency (never added across). */
export function LeadReportPage() {
  const report = useLeadReport({});
  const data = report.data;
  const pipeline: Column<LeadReport["pipeline"][number]>[] = [
    { key: "stage", header: "Stage", render: (r) => stageLabel(r.stage) },
    { key: "leads", header: "Leads", render: (r) => r.leads, align: "right" },
    { key: "value", header: "Value", render: (r) => amounts(r.value), align: "right" },
  ];
  const channels: Column<LeadReport["by_channel"][number]>[] = [
    { key: "channel", header: "Source channel", render: (r) => r.channel },
    { key: "leads", header: "Leads", render: (r) => r.leads, align: "right" },
    { key: "won", header: "Won", render: (r) => r.won, align: "right" },
    { key: "rate", header: "Conversion", render: (r) => rate(r.conversion_rate), align: "right" },
    { key: "value", header: "Won value", render: (r) => amounts(r.won_value), align: "right" },
  ];
  const times: Column<LeadReport["time_in_stage"][number]>[] = [
    { key: "stage", header: "Stage", render: (r) => stageLabel(r.stage) },
    { key: "stays", header: "Stays ended", render: (r) => r.stays, align: "right" },
    {
      key: "median",
      header: "Median days",
      render: (r) => (r.median_days === null ? "—" : number(r.median_days)),
      align: "right",
    },
  ];
  const owners: Column<LeadReport["by_owner"][number]>[] = [
    { key: "owner", header: "Owner", render: (r) => r.owner_name ?? "No owner" },
    { key: "won", header: "Won", render: (r) => r.won, align: "right" },
    { key: "lost", header: "Lost", render: (r) => r.lost, align: "right" },
    { key: "rate", header: "Win rate", render: (r) => rate(r.win_rate), align: "right" },
    { key: "value", header: "Won value", render: (r) => amounts(r.won_value), align: "right" },
  ];
  return (
    <Stack p="md" maw={1100} mx="auto">
      <Group justify="space-between">
        <Title order={1} size="h3">
          Lead report
        </Title>
        <Anchor href={leadReportCsvUrl({})} download size="sm">
          <Group gap={4}>
            <IconDownload size={16} aria-hidden />
            Download as CSV
          </Group>
        </Anchor>
      </Group>
      {report.isError && <QueryError error={report.error} />}
      {data && (
        <Text data-testid="lead-totals">
          {data.leads} leads — open pipeline {amounts(data.open_value)} — won {amounts(data.won_value)}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack gap="xs">
          <Title order={2} size="h4">
            Pipeline by stage
          </Title>
          <DataTable aria-label="Pipeline by stage" columns={pipeline} rows={data?.pipeline} rowKey={(r) => r.stage} />
        </Stack>
        <Stack gap="xs">
          <Title order={2} size="h4">
            Conversion by source channel
          </Title>
          <DataTable
            aria-label="Conversion by source channel"
            columns={channels}
            rows={data?.by_channel}
            rowKey={(r) => r.channel}
            empty="No leads yet."
          />
        </Stack>
        <Stack gap="xs">
          <Title order={2} size="h4">
            Median time in stage
          </Title>
          <DataTable aria-label="Median time in stage" columns={times} rows={data?.time_in_stage} rowKey={(r) => r.stage} />
        </Stack>
        <Stack gap="xs">
          <Title order={2} size="h4">
            Win rate per owner
          </Title>
          <DataTable
            aria-label="Win rate per owner"
            columns={owners}
            rows={data?.by_owner}
            rowKey={(r) => r.owner_id ?? 0}
            empty="No leads yet."
          />
        </Stack>
      </SimpleGrid>
    </Stack>
  );
}
