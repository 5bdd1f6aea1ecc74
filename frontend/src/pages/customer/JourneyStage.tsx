import { Select } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { ApiError } from "../../api/client";
import { useJourneyStages, useSetJourneyStage } from "../../api/customers";

/** The customer's journey stage, editable by agents; every change lands on the timeline. */
export function JourneyStage({ customerId, stage }: { customerId: number; stage: string | null }) {
  const stages = useJourneyStages();
  const set = useSetJourneyStage(customerId);
  const error = set.error instanceof ApiError ? (set.error.fieldErrors.stage ?? set.error.message) : undefined;
  const choices = stages.data?.stages ?? [];
  // A stage no longer configured still shows as the current value.
  const data = stage && !choices.includes(stage) ? [stage, ...choices] : choices;
  return (
    <Select
      label="Journey stage"
      placeholder="No stage"
      data={data}
      value={stage}
      clearable
      allowDeselect={false}
      disabled={set.isPending || stages.isPending}
      error={error}
      onChange={(value) =>
        set.mutate(value, {
          onSuccess: () => notifications.show({ color: "green", message: value ? `Journey stage: ${value}` : "Journey stage cleared" }),
        })
      }
      data-testid="journey-stage"
      maw={240}
    />
  );
}
