"""Applying the rules that hold on one event, exactly once per (rule, event).

A rule whose conditions hold applies its actions and writes its run-log row in ONE write
transaction under the ticket's lock; the row's unique key "<rule>:<event>" makes a retried
event (a worker that died mid-batch) skip what was already applied. The rules of one event
run together in one transaction (fire_together); when an action fails there, they run again
one transaction each (fire_one_by_one), so that only the failing rule's changes are lost
and its error goes to its run log."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import TemplateError

from servicedesk import writes
from servicedesk.db import Sql, fetch, is_sqlite, write_transaction
from servicedesk.errors import DomainError
from servicedesk.outbox import service as outbox

from . import actions as action_types
from .context import Parts, build_context
from .ruleset import LoadedRule
from .tables import Rule, RuleRun

log = logging.getLogger(__name__)

MAX_DEPTH = 3
TOO_DEEP = f"not run: the chain of rules is deeper than {MAX_DEPTH} levels"
FAILURES = (
    DomainError,
    action_types.ActionFailed,
    TemplateError,
    ValueError,
    TypeError,
    KeyError,
    LookupError,
)
_LOCK_TICKET = Sql.text("SELECT pg_advisory_xact_lock(1853, $1)::text AS locked")


async def lock_ticket(ticket_id: int | None) -> None:
    """Serializes rule work on one ticket across workers (inside a write transaction)."""
    if ticket_id is not None and not is_sqlite():
        await fetch(_LOCK_TICKET, ticket_id)


@dataclass(frozen=True)
class EventRun:
    """The event a rule runs on: its outbox row, topic, payload and ticket; `key` names
    (rule, event) in the run log."""

    event_id: int
    topic: str
    payload: dict[str, Any]
    ticket_id: int | None

    @property
    def depth(self) -> int:
        """The chain depth of the rule that raised it (0 for a person's change)."""
        return int((self.payload.get("cause") or {}).get("depth", 0))

    def key(self, rule: LoadedRule) -> str:
        return f"{rule.id}:{self.event_id}"

    def run_log(self, rule: LoadedRule, done: list[str], error: str | None) -> RunLog:
        """The run-log row of the rule on this event (see record_runs)."""
        return (rule, self.key(rule), self.event_id, self.topic, self.ticket_id, done, error)

    async def context(self, now: datetime, parts: Parts) -> dict[str, Any]:
        return await build_context(
            topic=self.topic, payload=self.payload, ticket_id=self.ticket_id, now=now, parts=parts
        )


# A run-log row: rule, key, event id, topic, ticket id, the actions done, the error.
RunLog = tuple[LoadedRule, str | None, int | None, str, int | None, list[str], str | None]


async def record_runs(runs: list[RunLog], now: datetime) -> None:
    """The run-log rows and the rules' counters, in the caller's transaction: the rows go with the change's later
    writes (one statement with its audit rows and events), the counters in one UPDATE for
    the rules that fired and one for those that failed."""
    rows = [
        {
            "rule": rule.id,
            "key": key,
            "event": event_id,
            "topic": topic,
            "ticket": ticket_id,
            "actions": json.dumps(done),
            "error": error,
            "at": now,
        }
        for rule, key, event_id, topic, ticket_id, done, error in runs
    ]
    await writes.insert_later(RuleRun, rows)
    fired = [run[0].id for run in runs if run[6] is None]
    failed = [run[0].id for run in runs if run[6] is not None]
    if fired:
        await Rule.update({Rule.fired_count: Rule.fired_count + 1, Rule.last_fired_at: now}).where(
            Rule.id.is_in(fired)
        )
    if failed:
        await Rule.update({Rule.error_count: Rule.error_count + 1}).where(Rule.id.is_in(failed))


async def record_run(
    rule: LoadedRule,
    *,
    key: str | None,
    event_id: int | None,
    topic: str,
    ticket_id: int | None,
    done: list[str],
    error: str | None,
    now: datetime,
) -> None:
    """One run-log row and the rule's counter (in the caller's transaction)."""
    await record_runs([(rule, key, event_id, topic, ticket_id, done, error)], now)


async def apply_actions(
    rule: LoadedRule,
    *,
    key: str,
    context: dict[str, Any],
    ticket_id: int | None,
    depth: int,
    now: datetime,
) -> list[str]:
    """Applies the rule's actions in order (in the caller's transaction); the events they
    raise carry the rule and the chain depth."""
    run = action_types.Run(
        rule_id=rule.id,
        rule_name=rule.name,
        key=key,
        now=now,
        context=context,
        ticket_id=ticket_id,
    )
    done = []
    with outbox.caused_by(rule_id=rule.id, depth=depth):
        for index, action in enumerate(rule.actions):
            await action_types.type_of(action).apply(action, run, index)
            done.append(action_types.describe(action))
    return done


def touches(context: dict[str, Any]) -> set[tuple[str, Any]]:
    """The ticket and the customer of a context (what a rule that fired on it may change)."""
    return {
        ("ticket", (context.get("ticket") or {}).get("id")),
        ("customer", (context.get("customer") or {}).get("id")),
    } - {("ticket", None), ("customer", None)}


async def fire_together(
    event: EventRun, rules: list[LoadedRule], now: datetime, parts: Parts
) -> set[tuple[str, Any]]:
    """The rules on the event in one transaction under the ticket's lock: one look at the
    run log, the context read under the lock and again after each rule that fired (the
    next ones see its changes); returns the tickets and customers they may have changed."""
    keys = {rule.id: event.key(rule) for rule in rules}
    touched: set[tuple[str, Any]] = set()
    async with write_transaction():
        await lock_ticket(event.ticket_id)
        done = {
            r["key"]
            for r in await RuleRun.select(RuleRun.key).where(RuleRun.key.is_in(list(keys.values())))
        }
        context = await event.context(now, parts)
        runs: list[RunLog] = []
        for rule in rules:
            if keys[rule.id] in done or not rule.check(context):
                continue
            error, applied = None, []
            if event.depth >= MAX_DEPTH:
                error = TOO_DEEP
            else:
                applied = await apply_actions(
                    rule,
                    key=keys[rule.id],
                    context=context,
                    ticket_id=event.ticket_id,
                    depth=event.depth + 1,
                    now=now,
                )
            runs.append(event.run_log(rule, applied, error))
            if error is None:
                touched |= touches(context)
                context = await event.context(now, parts)
        if runs:
            await record_runs(runs, now)
    return touched


async def fire_one_by_one(
    event: EventRun,
    rules: list[LoadedRule],
    context: dict[str, Any] | None,
    now: datetime,
    parts: Parts,
) -> set[tuple[str, Any]]:
    """The rules on the event, one transaction each (after an action failed together)."""
    touched: set[tuple[str, Any]] = set()
    for rule in rules:
        if context is None:
            context = await event.context(now, parts)
        if not rule.check(context):
            continue
        if event.depth >= MAX_DEPTH:
            await _log_once(rule, event, TOO_DEEP, now)
            continue
        if await _fire(rule, event, now, parts):
            touched |= touches(context)
            context = None  # the next rule sees this one's changes
    return touched


async def _fire(rule: LoadedRule, event: EventRun, now: datetime, parts: Parts) -> bool:
    """Runs one rule on one event exactly once; True if it changed something."""
    key = event.key(rule)
    try:
        async with write_transaction():
            await lock_ticket(event.ticket_id)
            if await RuleRun.exists().where(RuleRun.key == key):
                return False
            # Read again under the lock: an earlier rule (or worker) may have changed it.
            context = await event.context(now, parts)
            if not rule.check(context):
                return False
            done = await apply_actions(
                rule,
                key=key,
                context=context,
                ticket_id=event.ticket_id,
                depth=event.depth + 1,
                now=now,
            )
            await record_runs([event.run_log(rule, done, None)], now)
        return True
    except FAILURES as exc:
        log.info("rule %s failed on event %s: %s", rule.id, event.event_id, exc)
        await _log_once(rule, event, f"{exc}", now)
        return False


async def _log_once(rule: LoadedRule, event: EventRun, error: str, now: datetime) -> None:
    key = event.key(rule)
    async with write_transaction():
        await lock_ticket(event.ticket_id)
        if not await RuleRun.exists().where(RuleRun.key == key):
            await record_runs([event.run_log(rule, [], error)], now)
