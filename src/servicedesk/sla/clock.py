"""A ticket's SLA clock: pure rules, no database.

Each target (first response, next reply, resolution) that is running or paused has the
minutes it allows, the minutes already used (`elapsed`, in the policy's clock: calendar
or business minutes of the team's schedule), the start of the current running segment
(`since`, None while paused) and the instant it falls due (`due`). Pausing adds the
segment to `elapsed`; running again computes a new `due` from what is left. So a target
paused while the ticket is pending loses no time, and a change of policy or team keeps
the minutes used. The state is kept as JSON text in ticket_metrics.sla_clock."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from servicedesk.clock import as_utc
from servicedesk.cx.business_hours import WEEKDAYS, Schedule

TARGETS = ("first_response", "next_reply", "resolution")
RUNNING = ("new", "open")
PAUSED = ("pending", "on_hold")
STOPPED = ("solved", "closed")
# How far ahead a business-hours due time is looked for; a schedule without working
# hours in that long never falls due.
HORIZON_DAYS = 3660


@dataclass
class Target:
    minutes: int
    elapsed: float = 0.0
    since: datetime | None = None
    due: datetime | None = None
    raised: bool = False  # sla.breached was emitted for this target (this cycle)
    counted: str | None = None  # resolution: "met"/"missed" as counted at the last solve

    @property
    def running(self) -> bool:
        return self.since is not None

    @property
    def breached(self) -> bool:
        """Over its minutes already while paused, or due in the past (see Clock.breached)."""
        return self.elapsed > self.minutes


@dataclass
class Clock:
    policy: int
    business: bool
    team: int | None
    goals: dict[str, int]  # target name -> minutes, as the policy sets them for the priority
    replied: bool = False  # an agent has answered publicly (next replies are measured)
    targets: dict[str, Target] = field(default_factory=dict)  # the active ones

    def to_json(self) -> str:
        targets = {
            name: {
                "minutes": t.minutes,
                "elapsed": t.elapsed,
                "since": _iso(t.since),
                "due": _iso(t.due),
                "raised": t.raised,
                "counted": t.counted,
            }
            for name, t in self.targets.items()
        }
        data = {
            "policy": self.policy,
            "business": self.business,
            "team": self.team,
            "goals": self.goals,
            "replied": self.replied,
            "targets": targets,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Clock:
        data = json.loads(text)
        targets = {
            name: Target(
                minutes=t["minutes"],
                elapsed=t["elapsed"],
                since=_parse(t["since"]),
                due=_parse(t["due"]),
                raised=t["raised"],
                counted=t["counted"],
            )
            for name, t in data["targets"].items()
        }
        return cls(
            policy=data["policy"],
            business=data["business"],
            team=data["team"],
            goals=data["goals"],
            replied=data["replied"],
            targets=targets,
        )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat()


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


# ---------------------------------------------------------------- measuring time


@dataclass(frozen=True)
class Measure:
    """Minutes between instants, and the instant a number of minutes after another, in
    calendar time or in the working time of a schedule."""

    schedule: Schedule | None  # None: calendar time

    def minutes(self, start: datetime, end: datetime) -> float:
        if self.schedule is None:
            return (as_utc(end) - as_utc(start)).total_seconds() / 60
        return self.schedule.business_minutes(as_utc(start), as_utc(end))

    def after(self, start: datetime, minutes: float) -> datetime | None:
        if self.schedule is None:
            return as_utc(start) + timedelta(minutes=minutes)
        return business_due(self.schedule, as_utc(start), minutes)


def business_due(schedule: Schedule, start: datetime, minutes: float) -> datetime | None:
    """The instant when `minutes` working minutes have passed since `start` (None if the
    schedule has no working time within HORIZON_DAYS)."""
    tz = ZoneInfo(schedule.timezone)
    left = minutes * 60  # seconds
    begin = start.timestamp()
    day = start.astimezone(tz).date()
    for _ in range(HORIZON_DAYS):
        if day not in schedule.holidays:
            for span_start, span_end in sorted(schedule.hours.get(WEEKDAYS[day.weekday()], [])):
                # Timestamps, as business_minutes does, so DST days count right.
                open_at = datetime.combine(day, time.fromisoformat(span_start), tz).timestamp()
                close_at = datetime.combine(day, time.fromisoformat(span_end), tz).timestamp()
                from_ = max(open_at, begin)
                if close_at <= from_:
                    continue
                if close_at - from_ >= left:
                    return datetime.fromtimestamp(from_ + left, UTC)
                left -= close_at - from_
        day += timedelta(days=1)
    return None


# ---------------------------------------------------------------- the rules


def run(target: Target, at: datetime, measure: Measure) -> None:
    """Starts (or resumes) the target's clock at `at`."""
    if target.running:
        return
    target.since = at
    left = target.minutes - target.elapsed
    if left > 0 or target.due is None:
        target.due = measure.after(at, max(left, 0))


def pause(target: Target, at: datetime, measure: Measure) -> None:
    """Stops the clock at `at`, keeping the minutes used."""
    if target.since is not None:
        target.elapsed += measure.minutes(target.since, at)
        target.since = None


def met(target: Target, at: datetime, measure: Measure) -> bool:
    """Whether the target, fulfilled at `at`, was met."""
    if target.running:
        return target.due is None or as_utc(at) <= as_utc(target.due)
    return target.elapsed <= target.minutes


def is_breached(target: Target, now: datetime) -> bool:
    if target.running:
        return target.due is not None and as_utc(target.due) <= as_utc(now)
    return target.breached


def next_due(clock: Clock | None, status: str) -> tuple[str | None, datetime | None]:
    """What a ticket shows: the target due next and its due time. A breached target shows
    its (past) due time even while paused; a ticket whose targets are all paused shows the
    first of them without a due time; solved and closed tickets show none."""
    if clock is None or status in STOPPED or not clock.targets:
        return None, None
    timed = [
        (as_utc(t.due), name)
        for name, t in clock.targets.items()
        if t.due is not None and (t.running or t.breached)
    ]
    if timed:
        due, name = min(timed)
        return name, due
    return next(name for name in TARGETS if name in clock.targets), None


def check_at(clock: Clock | None, status: str) -> datetime | None:
    """When the breach check must look at the ticket next: the earliest due time of a
    running (or paused but breached) target whose breach was not raised yet."""
    if clock is None or status in STOPPED:
        return None
    dues = [
        as_utc(t.due)
        for t in clock.targets.values()
        if t.due is not None and not t.raised and (t.running or t.breached)
    ]
    return min(dues, default=None)


def due_breaches(clock: Clock, now: datetime) -> list[str]:
    """The targets breached by `now` whose breach is not raised yet, marked raised."""
    names = [
        name
        for name, t in clock.targets.items()
        if not t.raised and t.due is not None and is_breached(t, now)
    ]
    for name in names:
        clock.targets[name].raised = True
    return names


def start_targets(
    clock: Clock, names: list[str], at: datetime, status: str, measure: Measure
) -> None:
    """Adds targets (those the policy sets), running unless the ticket is paused."""
    for name in names:
        if name in clock.goals and name not in clock.targets:
            target = clock.targets[name] = Target(minutes=clock.goals[name])
            if status in RUNNING:
                run(target, at, measure)


Outcomes = dict[str, int]  # "sla_{target}_{met|missed}" -> add


def fulfil(clock: Clock, names: list[str], at: datetime, measure: Measure) -> Outcomes:
    """Fulfils targets (a public reply: first response and next reply): counted met or
    missed, and no longer active."""
    add: Outcomes = {}
    for name in names:
        target = clock.targets.pop(name, None)
        if target is not None:
            outcome = "met" if met(target, at, measure) else "missed"
            add[f"sla_{name}_{outcome}"] = add.get(f"sla_{name}_{outcome}", 0) + 1
    return add


def solve(clock: Clock, at: datetime, measure: Measure) -> Outcomes:
    """A solve: the resolution target is counted (a later solve after a reopen replaces
    the count) and kept, paused, for a reopen. A reply target still open is dropped:
    missed if it was already breached, not measured otherwise (no reply was needed)."""
    add: Outcomes = {}
    for name in ("first_response", "next_reply"):
        target = clock.targets.pop(name, None)
        if target is not None and not met(target, at, measure):
            add[f"sla_{name}_missed"] = add.get(f"sla_{name}_missed", 0) + 1
    resolution = clock.targets.get("resolution")
    if resolution is not None:
        outcome = "met" if met(resolution, at, measure) else "missed"
        if resolution.counted != outcome:
            if resolution.counted:
                add[f"sla_resolution_{resolution.counted}"] = -1
            add[f"sla_resolution_{outcome}"] = 1
            resolution.counted = outcome
        pause(resolution, at, measure)
    return add


def pause_all(clock: Clock, at: datetime, measure: Measure) -> None:
    for target in clock.targets.values():
        pause(target, at, measure)


def run_all(clock: Clock, at: datetime, measure: Measure) -> None:
    for target in clock.targets.values():
        run(target, at, measure)


def goals_of(targets: dict[str, Any], priority: str) -> dict[str, int]:
    """A policy's minutes per target for a priority (targets it does not set: none)."""
    return {name: int(m) for name, m in (targets.get(priority) or {}).items() if m is not None}
