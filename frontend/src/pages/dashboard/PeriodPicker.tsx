import { Group, SegmentedControl } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import dayjs from "dayjs";
import { useState } from "react";
import { PRESETS } from "./usePeriod";

interface Props {
  days: number | null;
  fromDate: string;
  toDate: string;
  onPreset: (days: number) => void;
  onCustom: (from: string, to: string) => void;
}

export function PeriodPicker({ days, fromDate, toDate, onPreset, onCustom }: Props) {
  const [custom, setCustom] = useState(days === null);
  const [range, setRange] = useState<[string | null, string | null]>([fromDate, toDate]);
  const mode = custom ? "custom" : String(days ?? 30);

  return (
    <Group gap="sm" wrap="wrap">
      <SegmentedControl
        aria-label="Period"
        value={mode}
        onChange={(v) => {
          if (v === "custom") {
            setCustom(true);
            setRange([fromDate, toDate]);
          } else {
            setCustom(false);
            onPreset(Number(v));
          }
        }}
        data={[
          ...PRESETS.map((d) => ({ value: String(d), label: `Last ${d} days` })),
          { value: "custom", label: "Custom" },
        ]}
      />
      {custom && (
        <DatePickerInput
          type="range"
          aria-label="Custom period"
          placeholder="Pick dates"
          value={range}
          maxDate={dayjs().format("YYYY-MM-DD")}
          onChange={(v) => {
            const [a, b] = v.map((d) => (d ? dayjs(d).format("YYYY-MM-DD") : null)) as [string | null, string | null];
            setRange([a, b]);
            if (a && b) onCustom(a, b);
          }}
          w={260}
          allowSingleDateInRange
        />
      )}
    </Group>
  );
}
