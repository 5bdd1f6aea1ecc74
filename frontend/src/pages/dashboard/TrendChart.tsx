import { CompositeChart, LineChart } from "@mantine/charts";
import { SimpleGrid, Text } from "@mantine/core";
import type { CxTrendPoint, HoursMode } from "../../api/types";
import { trendData } from "./trend";

export function TrendChart({ points, mode = "calendar" }: { points: CxTrendPoint[]; mode?: HoursMode }) {
  if (points.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No data for this period.
      </Text>
    );
  }
  const data = trendData(points, mode);
  const unit = mode === "business" ? "business h" : "h";
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <div
        role="img"
        aria-label={`Weekly solved tickets, with average and median resolution time in ${mode === "business" ? "business " : ""}hours`}
      >
        <Text size="sm" fw={600} mb="xs">
          Volume and resolution time per week
        </Text>
        {/* Tickets on the left axis, hours on the right: the two scales differ. */}
        <CompositeChart
          h={240}
          data={data}
          dataKey="week"
          tickLine="y"
          connectNulls
          withLegend
          withRightYAxis
          rightYAxisLabel={mode === "business" ? "business hours" : "hours"}
          series={[
            { name: "Solved", color: "blue.6", type: "bar" },
            { name: "Avg resolution (h)", label: `Avg resolution (${unit})`, color: "orange.7", type: "line", yAxisId: "right" },
            {
              name: "Median resolution (h)",
              label: `Median resolution (${unit})`,
              color: "orange.4",
              type: "line",
              yAxisId: "right",
              strokeDasharray: "5 5",
            },
          ]}
        />
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
