import "@mantine/dates/styles.css";
import "@mantine/charts/styles.css";
import { Anchor, Button, Group, Loader, Paper, SegmentedControl, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { cxCsvUrl, useCxReport, useCxTrend } from "../../api/reports";
import type { CxRow, HoursMode } from "../../api/types";
import { QueryError } from "../../components/QueryError";
import { ci, hours, minutes, pct } from "../../lib/format";
import { AgentChannelTable } from "./AgentChannelTable";
import { drillUrl } from "./drill";
import { durations, HOURS_LABEL, useHoursMode } from "./hours";
import { KpiCard, type KpiCardProps } from "./KpiCard";
import { PeriodPicker } from "./PeriodPicker";
import { TrendChart } from "./TrendChart";
import { usePeriod } from "./usePeriod";

type KpiDef = Omit<KpiCardProps, "current" | "previous" | "periodLabel" | "display"> & {
  value: (r: CxRow) => number | null | undefined;
  format: (v: number | null | undefined) => string;
  hintOf?: (r: CxRow) => string | undefined;
};

export function DashboardPage() {
  const period = usePeriod();
  const current = useCxReport(period.current);
  const previous = useCxReport(period.previous);
  const trend = useCxTrend(period.current);
  const [mode, setMode] = useHoursMode();
  const inBusinessHours = mode === "business" ? " (business hours)" : "";

  const kpis: KpiDef[] = [
    {
      label: "First contact resolution",
      value: (r) => r.fcr.rate,
      format: (v) => pct(v),
      kind: "rate",
      hintOf: (r) => ci(r.fcr.ci95) || undefined,
      to: drillUrl(period.current, "not_fcr"),
    },
    {
      label: "CSAT",
      value: (r) => r.csat.score,
      format: (v) => pct(v),
      kind: "rate",
      hintOf: (r) => `${r.csat.responses} responses${r.csat.response_rate !== null ? `, ${pct(r.csat.response_rate)} response rate` : ""}`,
      to: drillUrl(period.current, "csat"),
    },
    {
      label: `Avg resolution time${inBusinessHours}`,
      value: (r) => durations(r, mode).avg_resolution_hours,
      format: hours,
      kind: "hours",
      higherIsBetter: false,
      hintOf: (r) => `P90 ${hours(durations(r, mode).p90_resolution_hours)}`,
      to: drillUrl(period.current, "solved"),
    },
    {
      label: `Median resolution time${inBusinessHours}`,
      value: (r) => durations(r, mode).median_resolution_hours,
      format: hours,
      kind: "hours",
      higherIsBetter: false,
      to: drillUrl(period.current, "solved"),
    },
    {
      label: `First response (median)${inBusinessHours}`,
      value: (r) => durations(r, mode).first_response_median_minutes,
      format: minutes,
      kind: "minutes",
      higherIsBetter: false,
      to: drillUrl(period.current, "solved"),
    },
    {
      label: "Reopen rate",
      value: (r) => r.reopen_rate,
      format: (v) => pct(v, 1),
      kind: "rate",
      higherIsBetter: false,
      to: drillUrl(period.current, "reopened"),
    },
    {
      label: "Volume (solved)",
      value: (r) => r.solved,
      format: (v) => (v === null || v === undefined ? "—" : String(v)),
      kind: "count",
      to: drillUrl(period.current, "solved"),
    },
  ];

  return (
    <Stack p="md" maw={1400} mx="auto" gap="lg">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1} size="h3">
            Customer experience
          </Title>
          <Text size="sm" c="dimmed">
            {period.fromDate} – {period.toDate}, compared with the {period.label}
          </Text>
        </div>
        <Group gap="sm" wrap="wrap">
          <SegmentedControl
            aria-label="Resolution and response times in"
            value={mode}
            onChange={(m) => setMode(m as HoursMode)}
            data={(Object.keys(HOURS_LABEL) as HoursMode[]).map((m) => ({ value: m, label: HOURS_LABEL[m] }))}
          />
          <PeriodPicker
            key={`${period.days}-${period.fromDate}-${period.toDate}`}
            days={period.days}
            fromDate={period.fromDate}
            toDate={period.toDate}
            onPreset={period.setPreset}
            onCustom={period.setCustom}
          />
          <Button
            component="a"
            href={cxCsvUrl(period.current)}
            download
            variant="default"
            leftSection={<IconDownload size={16} aria-hidden />}
          >
            Export CSV
          </Button>
        </Group>
      </Group>

      {current.isError ? (
        <QueryError error={current.error} onRetry={() => void current.refetch()} title="Could not load the report" />
      ) : current.isPending ? (
        <Loader aria-label="Loading report" />
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 4, xl: 7 }} spacing="sm">
            {kpis.map(({ value, format, hintOf, ...k }) => {
              const v = value(current.data.totals);
              return (
                <KpiCard
                  key={k.label}
                  {...k}
                  display={format(v)}
                  current={v}
                  previous={previous.data ? value(previous.data.totals) : null}
                  periodLabel={period.label}
                  hint={hintOf?.(current.data.totals)}
                />
              );
            })}
          </SimpleGrid>
          {previous.isError && (
            <Text size="xs" c="red">
              The comparison period could not be loaded; changes are not shown.
            </Text>
          )}

          <Paper withBorder p="md" radius="md" component="section" aria-labelledby="trend-title">
            <Title order={2} size="h5" id="trend-title" mb="sm">
              Weekly trend
            </Title>
            {trend.isError ? (
              <QueryError error={trend.error} onRetry={() => void trend.refetch()} />
            ) : trend.isPending ? (
              <Loader size="sm" aria-label="Loading trend" />
            ) : (
              <TrendChart points={trend.data.points} mode={mode} />
            )}
          </Paper>

          <Paper withBorder p="md" radius="md" component="section" aria-labelledby="table-title">
            <Group justify="space-between" mb="sm">
              <Title order={2} size="h5" id="table-title">
                By agent and channel
              </Title>
              <Anchor href={cxCsvUrl(period.current)} size="sm" download>
                Download as CSV
              </Anchor>
            </Group>
            <AgentChannelTable
              rows={current.data.rows}
              totals={current.data.totals}
              period={period.current}
              mode={mode}
            />
          </Paper>
        </>
      )}
    </Stack>
  );
}
