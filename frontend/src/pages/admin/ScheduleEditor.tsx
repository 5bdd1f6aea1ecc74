import { ActionIcon, Button, Group, Stack, TagsInput, Text, TextInput } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import type { Schedule } from "../../api/types";
import { DAYS, DAY_LABEL } from "./schedule";

export function ScheduleEditor({ value, onChange }: { value: Schedule; onChange: (s: Schedule) => void }) {
  const setDay = (d: string, slots: string[][]) => onChange({ ...value, hours: { ...value.hours, [d]: slots } });
  return (
    <Stack gap="xs">
      <TextInput
        label="Timezone"
        description="IANA name, e.g. Europe/Berlin"
        value={value.timezone}
        onChange={(e) => onChange({ ...value, timezone: e.currentTarget.value })}
      />
      <Text size="sm" fw={500} mt="xs">
        Business hours
      </Text>
      {DAYS.map((d) => {
        const slots = value.hours[d] ?? [];
        return (
          <Group key={d} gap="xs" align="center" wrap="wrap">
            <Text size="sm" w={90}>
              {DAY_LABEL[d]}
            </Text>
            {slots.length === 0 && (
              <Text size="sm" c="dimmed">
                Closed
              </Text>
            )}
            {slots.map(([a, b], i) => (
              <Group key={i} gap={4} wrap="nowrap">
                <TextInput
                  size="xs"
                  w={70}
                  aria-label={`${DAY_LABEL[d]} slot ${i + 1} opens`}
                  value={a}
                  onChange={(e) => setDay(d, slots.map((s, j) => (j === i ? [e.currentTarget.value, s[1] ?? ""] : s)))}
                />
                <Text size="sm">–</Text>
                <TextInput
                  size="xs"
                  w={70}
                  aria-label={`${DAY_LABEL[d]} slot ${i + 1} closes`}
                  value={b}
                  onChange={(e) => setDay(d, slots.map((s, j) => (j === i ? [s[0] ?? "", e.currentTarget.value] : s)))}
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={`Remove ${DAY_LABEL[d]} slot ${i + 1}`}
                  onClick={() => setDay(d, slots.filter((_, j) => j !== i))}
                >
                  <IconTrash size={14} />
                </ActionIcon>
              </Group>
            ))}
            <Button
              size="compact-xs"
              variant="subtle"
              leftSection={<IconPlus size={12} />}
              onClick={() => setDay(d, [...slots, ["09:00", "17:00"]])}
              aria-label={`Add hours on ${DAY_LABEL[d]}`}
            >
              Add
            </Button>
          </Group>
        );
      })}
      <TagsInput
        label="Holidays"
        description="Dates (YYYY-MM-DD); press Enter after each"
        value={value.holidays}
        onChange={(holidays) => onChange({ ...value, holidays })}
        placeholder="2026-12-25"
      />
    </Stack>
  );
}
