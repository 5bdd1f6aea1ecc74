"""Time rules (`{"every": "minute"}`): one pass over the open and recently solved tickets.

The pass looks at tickets in a working status (new, open, pending, on hold) and those
solved within RECENTLY_SOLVED_DAYS. A rule fires on a ticket once; if it has a condition
its own actions make false (safety.nullified), it fires again only after that condition
was seen false by a pass and holds again (TimeRuleState.fired goes back to false). A
failing rule is logged once and also counts as fired, so it does not fail every minute."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from servicedesk.db import write_transaction
from servicedesk.tickets.service import WORKING
from servicedesk.tickets.tables import Ticket

from .context import build_context
from .firing import FAILURES, apply_actions, lock_ticket, record_run
from .ruleset import LoadedRule, active_rules
from .tables import TimeRuleState

log = logging.getLogger(__name__)
RECENTLY_SOLVED_DAYS = 30


async def _candidates(now: datetime) -> list[int]:
    rows = (
        await Ticket.select(Ticket.id)
        .where(
            Ticket.status.is_in(list(WORKING))
            | (
                (Ticket.status == "solved")
                & (Ticket.solved_at >= now - timedelta(days=RECENTLY_SOLVED_DAYS))
            )
        )
        .order_by(Ticket.id)
    )
    return [int(row["id"]) for row in rows]


async def _states(rules: list[LoadedRule]) -> dict[str, dict[str, Any]]:
    rows = await TimeRuleState.select().where(TimeRuleState.rule.is_in([r.id for r in rules]))
    return {row["key"]: row for row in rows}


async def _fire(rule: LoadedRule, ticket_id: int, now: datetime) -> bool:
    """Fires the rule on the ticket unless a pass already did (checked under the lock)."""
    key = f"{rule.id}:{ticket_id}"
    try:
        async with write_transaction():
            await lock_ticket(ticket_id)
            state = await TimeRuleState.select().where(TimeRuleState.key == key).first()
            if state and state["fired"]:
                return False
            context = await build_context(topic="time", payload={}, ticket_id=ticket_id, now=now)
            if not rule.check(context):
                return False
            times = (state["times"] if state else 0) + 1
            done = await apply_actions(
                rule,
                key=f"{key}:{times}",
                context=context,
                ticket_id=ticket_id,
                depth=1,
                now=now,
            )
            await _fired(rule, ticket_id, key, state, now, done=done, error=None)
        return True
    except FAILURES as exc:
        log.info("time rule %s failed on ticket %s: %s", rule.id, ticket_id, exc)
        async with write_transaction():
            await lock_ticket(ticket_id)
            state = await TimeRuleState.select().where(TimeRuleState.key == key).first()
            if not (state and state["fired"]):
                await _fired(rule, ticket_id, key, state, now, done=[], error=str(exc))
        return False


async def _fired(
    rule: LoadedRule,
    ticket_id: int,
    key: str,
    state: dict[str, Any] | None,
    now: datetime,
    *,
    done: list[str],
    error: str | None,
) -> None:
    """The firing's state (fired, once more) and its run-log row, in the caller's
    transaction: what a firing leaves whether its actions applied or failed."""
    if state is None:
        await TimeRuleState.insert(
            TimeRuleState(rule=rule.id, ticket=ticket_id, key=key, fired=True, fired_at=now)
        )
    else:
        await TimeRuleState.update(
            {
                TimeRuleState.fired: True,
                TimeRuleState.fired_at: now,
                TimeRuleState.times: TimeRuleState.times + 1,
            }
        ).where(TimeRuleState.key == key)
    await record_run(
        rule,
        key=None,
        event_id=None,
        topic="time",
        ticket_id=ticket_id,
        done=done,
        error=error,
        now=now,
    )


async def tick(*, now: datetime) -> dict[str, int]:
    """One pass of every active time rule; returns how many times they fired."""
    rules = [rule for rule in await active_rules() if rule.is_time_rule]
    counts = {"tickets": 0, "fired": 0, "rearmed": 0}
    if not rules:
        return counts
    states = await _states(rules)
    for ticket_id in await _candidates(now):
        counts["tickets"] += 1
        context: dict[str, Any] | None = None
        for rule in rules:
            key = f"{rule.id}:{ticket_id}"
            state = states.get(key)
            if context is None:
                context = await build_context(
                    topic="time", payload={}, ticket_id=ticket_id, now=now
                )
            holds = rule.check(context)
            if holds and not (state and state["fired"]):
                if await _fire(rule, ticket_id, now):
                    counts["fired"] += 1
                    context = None
            elif not holds and state and state["fired"] and rule.rearmable:
                await TimeRuleState.update({TimeRuleState.fired: False}).where(
                    TimeRuleState.key == key
                )
                counts["rearmed"] += 1
    return counts
