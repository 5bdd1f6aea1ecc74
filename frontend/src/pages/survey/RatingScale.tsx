import { Button, Group, Text } from "@mantine/core";

interface Props {
  label: string;
  min: number;
  max: number;
  value: number | null;
  onChange: (v: number) => void;
  lowLabel: string;
  highLabel: string;
  disabled?: boolean;
}

/** Row of number buttons acting as a radio group (keyboard: Tab to group, arrows to move). */
export function RatingScale({ label, min, max, value, onChange, lowLabel, highLabel, disabled }: Props) {
  const values = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  const onKey = (e: React.KeyboardEvent, v: number) => {
    let next: number | null = null;
    if (e.key === "ArrowRight" || e.key === "ArrowUp") next = Math.min(max, v + 1);
    if (e.key === "ArrowLeft" || e.key === "ArrowDown") next = Math.max(min, v - 1);
    if (next !== null) {
      e.preventDefault();
      onChange(next);
      const el = (e.currentTarget.parentElement?.querySelector(`[data-value="${next}"]`) ?? null) as HTMLElement | null;
      el?.focus();
    }
  };
  return (
    <div>
      <Group role="radiogroup" aria-label={label} gap={6} justify="center" wrap="wrap">
        {values.map((v) => {
          const checked = value === v;
          return (
            <Button
              key={v}
              role="radio"
              aria-checked={checked}
              aria-label={`${v}${v === min ? ` (${lowLabel})` : v === max ? ` (${highLabel})` : ""}`}
              data-value={v}
              tabIndex={checked || (value === null && v === min) ? 0 : -1}
              variant={checked ? "filled" : "default"}
              size="md"
              miw={44}
              px="xs"
              disabled={disabled}
              onClick={() => onChange(v)}
              onKeyDown={(e) => onKey(e, v)}
            >
              {v}
            </Button>
          );
        })}
      </Group>
      <Group justify="space-between" mt={4}>
        <Text size="xs" c="dimmed">
          {lowLabel}
        </Text>
        <Text size="xs" c="dimmed">
          {highLabel}
        </Text>
      </Group>
    </div>
  );
}
