import { Alert, Anchor, Group, Loader, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useJourneyFunnel } from "../../api/reports";
import type { FunnelStage, JourneyFunnel } from "../../api/types";
import { QueryError } from "../../components/QueryError";
import { PeriodPicker } from "../dashboard/PeriodPicker";
import { usePeriod } from "../dashboard/usePeriod";

function percent(rate: number | null): string {
  return rate === null ? "–" : `${Math.round(rate * 100)} %`;
}

/** The widest bar is the stage most customers entered. */
function Bar({ value, max }: { value: number; max: number }) {
  const width = max > 0 ? Math.max(2, Math.round((value / max) * 100)) : 0;
  return (
    <div aria-hidden style={{ background: "var(--mantine-color-orange-1)", borderRadius: 4, width: "100%", minWidth: 80 }}>
      <div style={{ background: "var(--mantine-color-orange-6)", width: `${width}%`, height: 10, borderRadius: 4 }} />
    </div>
  );
}

function StageTable({ stages }: { stages: FunnelStage[] }) {
  const max = Math.max(0, ...stages.map((s) => s.customers_entered));
  return (
    <Table striped withTableBorder aria-label="Journey funnel by stage" data-testid="journey-funnel">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Stage</Table.Th>
          <Table.Th ta="right">Entered</Table.Th>
          <Table.Th ta="right">Left</Table.Th>
          <Table.Th>Customers entered</Table.Th>
          <Table.Th>Conversion to next stage</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {stages.map((s) => (
          <Table.Tr key={s.stage} data-testid="funnel-stage">
            <Table.Td>{s.stage}</Table.Td>
            <Table.Td ta="right">{s.entered}</Table.Td>
            <Table.Td ta="right">{s.left}</Table.Td>
            <Table.Td>
              <Group gap="xs" wrap="nowrap">
                <Text size="sm" w={40} ta="right">
                  {s.customers_entered}
                </Text>
                <Bar value={s.customers_entered} max={max} />
              </Group>
            </Table.Td>
            <Table.Td>
              {s.next_stage === null ? (
                <Text size="sm" c="dimmed">
                  last stage
                </Text>
              ) : (
                <Text size="sm">
                  {percent(s.conversion_to_next)} → {s.next_stage}
                  {s.converted_to_next !== null && s.customers_entered > 0 && (
                    <Text span size="xs" c="dimmed">
                      {" "}
                      ({s.converted_to_next} of {s.customers_entered})
                    </Text>
                  )}
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Transitions({ report }: { report: JourneyFunnel }) {
  if (report.transitions.length === 0) return null;
  return (
    <Table withTableBorder aria-label="Stage transitions" data-testid="journey-transitions">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>From</Table.Th>
          <Table.Th>To</Table.Th>
          <Table.Th ta="right">Changes</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {report.transitions.map((t) => (
          <Table.Tr key={`${t.from_stage ?? ""}→${t.to_stage ?? ""}`}>
            <Table.Td>{t.from_stage ?? "(no stage)"}</Table.Td>
            <Table.Td>{t.to_stage ?? "(no stage)"}</Table.Td>
            <Table.Td ta="right">{t.count}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function JourneyReportPage() {
  const period = usePeriod();
  const report = useJourneyFunnel(period.current);
  return (
    <Stack p="md" maw={1100} mx="auto" gap="lg">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1} size="h3">
            Customer journey
          </Title>
          <Text size="sm" c="dimmed">
            Stage changes {period.fromDate} – {period.toDate} ·{" "}
            <Anchor component={Link} to="/dashboard" size="sm" underline="always">
              Customer experience
            </Anchor>
          </Text>
        </div>
        <PeriodPicker
          key={`${period.days}-${period.fromDate}-${period.toDate}`}
          days={period.days}
          fromDate={period.fromDate}
          toDate={period.toDate}
          onPreset={period.setPreset}
          onCustom={period.setCustom}
        />
      </Group>
      {report.isError ? (
        <QueryError error={report.error} onRetry={() => void report.refetch()} />
      ) : report.isPending ? (
        <Loader aria-label="Loading the journey report" />
      ) : (
        <>
          {report.data.changes === 0 && (
            <Alert color="gray" title="No stage changes in this period">
              Set journey stages on customer profiles, or with the rule action “Set the customer's journey stage”.
            </Alert>
          )}
          <Paper withBorder p="md" radius="md" component="section" aria-labelledby="funnel-title">
            <Title order={2} size="h5" id="funnel-title" mb="sm">
              Funnel ({report.data.changes} stage changes)
            </Title>
            <StageTable stages={report.data.stages} />
            <Text size="xs" c="dimmed" mt="xs">
              Conversion: of the customers who entered a stage in the period, the share who entered the next stage later in
              the period.
            </Text>
          </Paper>
          <Paper withBorder p="md" radius="md" component="section" aria-labelledby="transitions-title">
            <Title order={2} size="h5" id="transitions-title" mb="sm">
              Transitions
            </Title>
            <Transitions report={report.data} />
          </Paper>
        </>
      )}
    </Stack>
  );
}
