import { BarChart, LineChart } from "@mantine/charts";
import { SimpleGrid, Text } from "@mantine/core";
import dayjs from "dayjs";
import type { CxTrendPoint } from "../../api/types";

export function TrendChart({ points }: { points: CxTrendPoint[] }) {
  if (points.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No data for this period.
      </Text>
    );
  }
  const data = points.map((p) => ({
    week: dayjs(p.period_start).format("MMM D"),
    Solved: p.solved,
    "FCR %": p.fcr_rate === null ? null : Math.round(p.fcr_rate * 1000) / 10,
    "CSAT %": p.csat_score === null ? null : Math.round(p.csat_score * 1000) / 10,
    "Avg resolution (h)": p.avg_resolution_hours === null ? null : Math.round(p.avg_resolution_hours * 10) / 10,
  }));
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <div role="img" aria-label="Weekly solved tickets and average resolution time">
        <Text size="sm" fw={600} mb="xs">
          Volume per week
        </Text>
        <BarChart h={240} data={data} dataKey="week" series={[{ name: "Solved", color: "blue.6" }]} tickLine="y" />
      </div>
      <div role="img" aria-label="Weekly first contact resolution and CSAT in percent">
        <Text size="sm" fw={600} mb="xs">
          FCR and CSAT per week (%)
        </Text>
        <LineChart
          h={240}
          data={data}
          dataKey="week"
          connectNulls
          withLegend
          yAxisProps={{ domain: [0, 100] }}
          series={[
            { name: "FCR %", color: "teal.6" },
            { name: "CSAT %", color: "grape.6" },
          ]}
        />
      </div>
    </SimpleGrid>
  );
}
