"""A ticket's SLA facts (the sla_* columns of ticket_metrics), kept by the cx facts
functions in the transaction of each ticket change: live, in the importer's unit of work
and under automation alike, so every path gives the same due times.

Each hook takes the ticket's facts row as the caller holds it (the whole row in a unit of
work; else maybe only its key, and the SLA columns are then read here) and `schedule`, the
caller's loader of a team's business hours (cached per unit of work)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from servicedesk import writes
from servicedesk.cache import Cached
from servicedesk.cx.business_hours import Schedule
from servicedesk.cx.tables import TicketMetrics

from . import clock as rules
from .clock import Clock, Measure
from .tables import SlaPolicy

M = TicketMetrics
Row = dict[str, Any]
ScheduleOf = Callable[[int | None], Awaitable[Schedule]]
# The columns these hooks read: the SLA state, and the facts it depends on.
_READ = (M.status, M.created_at, M.first_response_at, M.sla_clock)


async def _with_clock(row: Row) -> Row:
    """`row` with the columns the hooks read (a live caller may hold only the key)."""
    if "sla_clock" not in row:
        found = await M.select(*_READ).where(M.ticket == row["ticket"]).first()
        row.update(found or {})
    return row


async def _measure(clock: Clock, schedule: ScheduleOf) -> Measure:
    return Measure(await schedule(clock.team) if clock.business else None)


def _values(clock: Clock | None, status: str) -> Row:
    """The sla_* columns for a clock in a status."""
    target, due = rules.next_due(clock, status)
    return {
        "sla_policy": clock.policy if clock else None,
        "sla_clock": clock.to_json() if clock else None,
        "sla_target": target,
        "sla_due_at": due,
        "sla_check_at": rules.check_at(clock, status),
    }


async def _save(row: Row, clock: Clock | None, status: str, add: rules.Outcomes) -> None:
    values = _values(clock, status)
    changed = {k: v for k, v in values.items() if row.get(k, v) != v or k not in row}
    await writes.update(M, row, changed, add=add or None, key="ticket")


# ---------------------------------------------------------------- choosing the policy


async def _load_policies() -> list[Row]:
    rows = (
        await SlaPolicy.select(
            SlaPolicy.id,
            SlaPolicy.channel,
            SlaPolicy.team,
            SlaPolicy.business_hours,
            SlaPolicy.targets,
        )
        .where(SlaPolicy.active.eq(True))
        .output(load_json=True)
    )
    return sorted(rows, key=lambda p: (-specificity(p), p["id"]))


# Policies change seldom and every new ticket reads them: live, each process keeps them
# (servicedesk.cache). A change made through this process is seen at once (the SLA
# service reports it); one made by another process (a second server, the CLI) within a
# second.
cached_policies = Cached(SlaPolicy, _load_policies)


async def active_policies() -> list[Row]:
    """The active policies, most specific first (team and channel, team, channel, none),
    then the oldest (read once per unit of work; live, see cached_policies). Not to be
    changed by the caller: the list is shared."""
    if writes.current() is not None:
        policies: list[Row] = await writes.get(SlaPolicy, "active", _load_policies)
        return policies
    return await cached_policies.get()


def specificity(policy: Row) -> int:
    return (2 if policy["team"] is not None else 0) + (1 if policy["channel"] else 0)


def policy_for(
    policies: list[Row], *, channel: str, team_id: int | None, priority: str
) -> Row | None:
    """The first policy (in active_policies' order) whose scope covers the ticket and that
    sets a target for its priority."""
    for policy in policies:
        if policy["channel"] not in (None, channel) or policy["team"] not in (None, team_id):
            continue
        if rules.goals_of(policy["targets"], priority):
            return policy
    return None


# ---------------------------------------------------------------- the hooks


async def created_values(*, channel: str, priority: str, at: datetime, schedule: ScheduleOf) -> Row:
    """The sla_* columns of a new ticket's facts row, written with its INSERT: first
    response and resolution run from its creation (all None without a policy)."""
    policy = policy_for(await active_policies(), channel=channel, team_id=None, priority=priority)
    if policy is None:
        return _values(None, "new")
    clock = Clock(
        policy=policy["id"],
        business=policy["business_hours"],
        team=None,
        goals=rules.goals_of(policy["targets"], priority),
    )
    rules.start_targets(
        clock, ["first_response", "resolution"], at, "new", await _measure(clock, schedule)
    )
    return _values(clock, "new")


async def inbound_message(*, row: Row, at: datetime, schedule: ScheduleOf) -> None:
    """A customer message after an agent's public reply starts a next-reply target (unless
    one is running already: it measures from the oldest unanswered message)."""
    row = await _with_clock(row)
    if not row["sla_clock"]:
        return
    clock = Clock.from_json(row["sla_clock"])
    if not clock.replied or "next_reply" in clock.targets or "next_reply" not in clock.goals:
        return
    status = row["status"]
    rules.start_targets(clock, ["next_reply"], at, status, await _measure(clock, schedule))
    await _save(row, clock, status, {})


async def public_reply(*, row: Row, at: datetime, schedule: ScheduleOf) -> None:
    """An agent's public reply fulfils the first response and the next reply."""
    row = await _with_clock(row)
    if not row["sla_clock"]:
        return
    clock = Clock.from_json(row["sla_clock"])
    clock.replied = True
    add = rules.fulfil(clock, ["first_response", "next_reply"], at, await _measure(clock, schedule))
    await _save(row, clock, row["status"], add)


async def status_changed(*, row: Row, new: str, at: datetime, schedule: ScheduleOf) -> None:
    """Pending and on hold pause every clock; new and open run them again; a solve counts
    the resolution (see clock.solve); closing ends them."""
    row = await _with_clock(row)
    if not row["sla_clock"]:
        return
    clock = Clock.from_json(row["sla_clock"])
    measure = await _measure(clock, schedule)
    add: rules.Outcomes = {}
    if new == "solved":
        add = rules.solve(clock, at, measure)
    elif new == "closed":
        rules.pause_all(clock, at, measure)
        clock.targets.clear()
    elif new in rules.PAUSED:
        rules.pause_all(clock, at, measure)
    else:
        rules.run_all(clock, at, measure)
    await _save(row, clock, new, add)


async def ticket_routed(
    *,
    row: Row,
    channel: str,
    priority: str,
    team_id: int | None,
    at: datetime,
    schedule: ScheduleOf,
) -> None:
    """A change of priority or team picks the policy again. The active targets keep the
    minutes they used; a first response or resolution target the old policy did not set
    counts from the ticket's creation (without its past pauses); targets the new policy
    does not set end, unmeasured."""
    row = await _with_clock(row)
    status = row["status"]
    old = Clock.from_json(row["sla_clock"]) if row["sla_clock"] else None
    if old is not None:
        rules.pause_all(old, at, await _measure(old, schedule))
    policy = policy_for(
        await active_policies(), channel=channel, team_id=team_id, priority=priority
    )
    if policy is None:
        if old is not None:
            await _save(row, None, status, {})
        return
    clock = Clock(
        policy=policy["id"],
        business=policy["business_hours"],
        team=team_id,
        goals=rules.goals_of(policy["targets"], priority),
        replied=row["first_response_at"] is not None,
    )
    measure = await _measure(clock, schedule)
    carried = old.targets if old is not None else {}
    due_from_creation = [] if status in rules.STOPPED else ["first_response", "resolution"]
    for name, minutes in clock.goals.items():
        if name in carried:
            target = clock.targets[name] = carried[name]
            target.minutes = minutes
            if target.elapsed < minutes:  # not (or no longer) breached: due anew
                target.due, target.raised = None, False
        elif name in due_from_creation and not (name == "first_response" and clock.replied):
            elapsed = measure.minutes(row["created_at"], at)
            clock.targets[name] = rules.Target(minutes=minutes, elapsed=elapsed)
    if status in rules.RUNNING:
        rules.run_all(clock, at, measure)
    await _save(row, clock, status, {})
