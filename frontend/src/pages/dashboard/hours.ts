import { useLocalStorage } from "@mantine/hooks";
import type { CxDurations, HoursMode } from "../../api/types";

/** The durations a view shows: the row's calendar figures or its business-hours ones. */
export function durations(row: CxDurations & { business: CxDurations }, mode: HoursMode): CxDurations {
  return mode === "business" ? row.business : row;
}

export const HOURS_LABEL: Record<HoursMode, string> = {
  calendar: "Calendar hours",
  business: "Business hours",
};

/** The lead's choice of calendar or business hours, kept across visits and periods. */
export function useHoursMode() {
  return useLocalStorage<HoursMode>({ key: "dashboard-hours", defaultValue: "calendar", getInitialValueInEffect: false });
}
