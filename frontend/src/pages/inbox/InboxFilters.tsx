import { Button, Select, Stack, Text, TextInput } from "@mantine/core";
import { useDebouncedCallback } from "@mantine/hooks";
import { useState } from "react";
import { useTeams } from "../../api/tickets";
import type { Channel, Priority } from "../../api/types";
import { CHANNELS, CHANNEL_LABEL, PRIORITIES, PRIORITY_LABEL } from "../../lib/format";
import type { InboxParams } from "./useInboxParams";

interface Props {
  params: InboxParams;
  onChange: (patch: Partial<InboxParams>) => void;
}

export function InboxFilters({ params, onChange }: Props) {
  const teams = useTeams();
  const [tag, setTag] = useState(params.tag ?? "");
  const pushTag = useDebouncedCallback((v: string) => onChange({ tag: v.trim() || null }), 400);
  const active = params.channel || params.team_id || params.tag || params.priority;

  const teamOptions = (teams.data ?? []).map((t) => ({ value: String(t.id), label: t.name }));
  if (params.team_id && !teamOptions.some((o) => o.value === String(params.team_id))) {
    teamOptions.push({ value: String(params.team_id), label: `Team #${params.team_id}` });
  }

  return (
    <section aria-label="Filters">
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" mb={4} px="xs">
        Filters
      </Text>
      <Stack gap="xs" px="xs">
        <Select
          label="Channel"
          size="xs"
          clearable
          placeholder="Any channel"
          data={CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABEL[c] }))}
          value={params.channel}
          onChange={(v) => onChange({ channel: (v as Channel | null) ?? null })}
        />
        <Select
          label="Team"
          size="xs"
          clearable
          placeholder={teams.isError ? "Teams unavailable" : "Any team"}
          data={teamOptions}
          value={params.team_id ? String(params.team_id) : null}
          onChange={(v) => onChange({ team_id: v ? Number(v) : null })}
        />
        <Select
          label="Priority"
          size="xs"
          clearable
          placeholder="Any priority"
          data={PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABEL[p] }))}
          value={params.priority}
          onChange={(v) => onChange({ priority: (v as Priority | null) ?? null })}
        />
        <TextInput
          label="Tag"
          size="xs"
          placeholder="e.g. billing"
          value={tag}
          onChange={(e) => {
            setTag(e.currentTarget.value);
            pushTag(e.currentTarget.value);
          }}
        />
        {active && (
          <Button
            size="xs"
            variant="subtle"
            onClick={() => {
              setTag("");
              onChange({ channel: null, team_id: null, tag: null, priority: null });
            }}
          >
            Clear filters
          </Button>
        )}
      </Stack>
    </section>
  );
}
