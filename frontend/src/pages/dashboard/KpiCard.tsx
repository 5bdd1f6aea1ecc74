import { Group, Paper, Text, Tooltip, UnstyledButton } from "@mantine/core";
import { IconArrowDownRight, IconArrowUpRight, IconMinus } from "@tabler/icons-react";
import { Link } from "react-router";
import { computeChange, formatChange, type KpiKind } from "../../lib/kpi";
import classes from "./Dashboard.module.css";


export interface KpiCardProps {
  label: string;
  /** Formatted current value. */
  display: string;
  current: number | null | undefined;
  previous: number | null | undefined;
  higherIsBetter?: boolean;
  kind?: KpiKind;
  /** Label of the comparison period, e.g. "previous 30 days". */
  periodLabel: string;
  hint?: string;
  to?: string;
}

export function KpiCard({
  label,
  display,
  current,
  previous,
  higherIsBetter = true,
  kind = "count",
  periodLabel,
  hint,
  to,
}: KpiCardProps) {
  const change = computeChange(current, previous, higherIsBetter);
  const text = formatChange(current, previous, kind);
  const color = change.improved === null ? "dimmed" : change.improved ? "teal" : "red";
  const Icon = change.direction === "up" ? IconArrowUpRight : change.direction === "down" ? IconArrowDownRight : IconMinus;

  const body = (
    <Paper withBorder p="md" radius="md" className={to ? classes.clickable : undefined} data-testid="kpi-card">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
        <span className="sr-punctuation">:</span>
      </Text>
      <Text fz={28} fw={700} lh={1.2} mt={4} data-testid="kpi-value">
        {display}
      </Text>
      <Group gap={4} mt={4} wrap="nowrap">
        {text ? (
          <>
            <Icon size={16} color={`var(--mantine-color-${color === "dimmed" ? "dimmed" : `${color}-text`})`} aria-hidden />
            <Text size="xs" c={color} fw={600} data-testid="kpi-change">
              {text}
            </Text>
            <Text size="xs" c="dimmed">
              vs {periodLabel}
              {change.improved !== null && <span className="visually-hidden">{change.improved ? " (better)" : " (worse)"}</span>}
            </Text>
          </>
        ) : (
          <Text size="xs" c="dimmed" data-testid="kpi-change">
            No data for {periodLabel}
          </Text>
        )}
      </Group>
      {hint && (
        <Text size="xs" c="dimmed" mt={2}>
          {hint}
        </Text>
      )}
    </Paper>
  );
  if (!to) return body;
  return (
    <Tooltip label="Show tickets" openDelay={400}>
      <UnstyledButton component={Link} to={to} className={classes.cardLink}>
        {body}
        <span className="visually-hidden">Show tickets</span>
      </UnstyledButton>
    </Tooltip>
  );
}
