"""Business-hours durations: the working minutes between two instants under a team's schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from servicedesk.errors import Invalid

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS = {day: [("09:00", "17:00")] for day in WEEKDAYS[:5]}


@dataclass(frozen=True)
class Schedule:
    timezone: str = "UTC"
    hours: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    holidays: frozenset[date] = frozenset()

    @classmethod
    def from_json(cls, data: dict[str, Any] | None, default_timezone: str = "UTC") -> Schedule:
        """Reads and checks a schedule as stored on a team; empty means Mon–Fri 09:00–17:00."""
        data = data or {}
        tz = data.get("timezone") or default_timezone
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise Invalid(f"unknown time zone {tz!r}", field="schedule.timezone") from exc
        hours = data.get("hours") or DEFAULT_HOURS
        parsed: dict[str, list[tuple[str, str]]] = {}
        for day, spans in hours.items():
            if day not in WEEKDAYS:
                raise Invalid(f"unknown weekday {day!r}", field="schedule.hours")
            for start, end in spans:
                if not (_parse_time(start) < _parse_time(end)):
                    raise Invalid(
                        f"{day}: {start}-{end} is not a valid span", field="schedule.hours"
                    )
            parsed[day] = [(start, end) for start, end in spans]
        try:
            holidays = frozenset(date.fromisoformat(d) for d in data.get("holidays", []))
        except ValueError as exc:
            raise Invalid("holidays are dates like 2026-12-25", field="schedule.holidays") from exc
        return cls(timezone=tz, hours=parsed, holidays=holidays)

    def to_json(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "hours": {day: [list(span) for span in spans] for day, spans in self.hours.items()},
            "holidays": sorted(d.isoformat() for d in self.holidays),
        }

    def business_minutes(self, start: datetime, end: datetime) -> float:
        """Working minutes in [start, end): spans of each working day, holidays skipped."""
        if end <= start:
            return 0.0
        tz = ZoneInfo(self.timezone)
        local_start, local_end = start.astimezone(tz), end.astimezone(tz)
        total = 0.0
        day = local_start.date()
        while day <= local_end.date():
            if day not in self.holidays:
                for span_start, span_end in self.hours.get(WEEKDAYS[day.weekday()], []):
                    open_at = datetime.combine(day, _parse_time(span_start), tz)
                    close_at = datetime.combine(day, _parse_time(span_end), tz)
                    # Timestamps, not aware-datetime subtraction, so DST days count right.
                    overlap = min(close_at.timestamp(), end.timestamp()) - max(
                        open_at.timestamp(), start.timestamp()
                    )
                    total += max(overlap, 0) / 60
            day += timedelta(days=1)
        return total


def _parse_time(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"{value!r} is not a time like 09:00", field="schedule.hours") from exc
