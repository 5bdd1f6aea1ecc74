"""Event rules: the outbox's domain events -> the rules listening to them -> actions.

For each event (the worker hands each outbox row of kind "event" to `consume`):
- the rules whose trigger lists its topic run in (position, id) order, each seeing the
  changes of the earlier ones (the context is read again after a rule fired);
- a rule whose conditions hold applies its actions and writes its run-log row in ONE write
  transaction; the row's unique key "<rule>:<event>" makes a retried event (a worker that
  died mid-batch) skip what was already applied;
- a failing action rolls back that rule's changes; the error goes to its run log and the
  next rule runs;
- the changes a rule makes raise events carrying their cause (rule, depth); a rule whose
  conditions hold on an event already at depth MAX_DEPTH is not run, and the stop is
  logged on it;
- events are processed in order per ticket: earlier pending events of the same ticket are
  delivered first, and each rule's transaction holds a per-ticket lock (SQLite's write
  transaction is exclusive; on PostgreSQL an advisory transaction lock on the ticket)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import TemplateError
from pydantic import BaseModel

from servicedesk.clock import utcnow
from servicedesk.db import Sql, fetch, is_sqlite, write_transaction
from servicedesk.errors import DomainError
from servicedesk.outbox import service as outbox
from servicedesk.outbox.tables import OutboxMessage

from . import actions as action_types
from . import queries, safety, service
from .conditions import evaluate, merged_parts, parts_read_by
from .context import Event, Parts, build_context, build_contexts
from .followups import CANCELLING, cancel_again, cancel_follow_ups
from .schemas import Conditions, RuleIn, TimeTrigger
from .tables import Rule, RuleRun

log = logging.getLogger(__name__)

MAX_DEPTH = 3
# How long an event waits for an earlier event of its ticket that another worker is
# delivering, before going ahead (that worker may have died; its claim goes stale).
EARLIER_EVENT_WAIT_SECONDS = 5.0
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


@dataclass(frozen=True)
class LoadedRule:
    id: int
    name: str
    events: frozenset[str]  # empty for a time rule
    conditions: Conditions
    actions: list[BaseModel]
    rearmable: bool  # a time rule with a condition its own actions nullify
    parts: Parts  # what of the context its conditions read beyond ticket and customer

    @property
    def is_time_rule(self) -> bool:
        return not self.events


_cache: tuple[Any, list[LoadedRule]] | None = None
# When the cached rule set's version was read (time.time() as the read began) and the
# count of this process's own rule changes then.
_checked_at = 0.0
_checked_changes = -1
RECHECK_SECONDS = 1.0


async def active_rules(*, newest_event: datetime | None = None) -> list[LoadedRule]:
    """The active rules in (position, id) order, parsed once per change of the rule set.

    Given the newest event about to be run, the rule set's version is read at most once a
    second: again only when a second has passed, when this process changed a rule, or when
    the event is newer than the last read (a rule saved before an event was raised always
    applies to it). A rule changed in another process meanwhile applies to the events
    raised after the change, and to the others from at most a second later."""
    global _cache, _checked_at, _checked_changes
    started = time.time()
    if (
        _cache is not None
        and newest_event is not None
        and started - _checked_at < RECHECK_SECONDS
        and newest_event.timestamp() < _checked_at
        and service.local_changes == _checked_changes
    ):
        return _cache[1]
    changes = service.local_changes
    version = await queries.rules_version()
    _checked_at, _checked_changes = started, changes
    if _cache is not None and _cache[0] == version:
        return _cache[1]
    loaded = []
    for row in await queries.active_rules():
        rule = RuleIn.model_validate(
            {k: row[k] for k in ("name", "active", "position", "trigger", "conditions", "actions")}
        )
        actions = service.parsed_actions(rule)
        loaded.append(
            LoadedRule(
                id=row["id"],
                name=row["name"],
                events=frozenset(
                    () if isinstance(rule.trigger, TimeTrigger) else rule.trigger.events
                ),
                conditions=rule.conditions,
                actions=actions,
                rearmable=bool(safety.nullified(rule.conditions, actions)),
                parts=parts_read_by(rule.conditions, actions),
            )
        )
    _cache = (version, loaded)
    return loaded


async def lock_ticket(ticket_id: int | None) -> None:
    """Serializes rule work on one ticket across workers (inside a write transaction)."""
    if ticket_id is not None and not is_sqlite():
        await fetch(_LOCK_TICKET, ticket_id)


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
    """The run-log row and the rule's counters (in the caller's transaction)."""
    await RuleRun.insert(
        RuleRun(
            rule=rule.id,
            key=key,
            event=event_id,
            topic=topic,
            ticket=ticket_id,
            actions=done,
            error=error,
            at=now,
        )
    )
    if error is None:
        await Rule.update({Rule.fired_count: Rule.fired_count + 1, Rule.last_fired_at: now}).where(
            Rule.id == rule.id
        )
    else:
        await Rule.update({Rule.error_count: Rule.error_count + 1}).where(Rule.id == rule.id)


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


async def _fire(
    rule: LoadedRule,
    *,
    event_id: int,
    topic: str,
    payload: dict[str, Any],
    ticket_id: int | None,
    depth: int,
    now: datetime,
) -> bool:
    """Runs one rule on one event exactly once; True if it changed something."""
    key = f"{rule.id}:{event_id}"
    try:
        async with write_transaction():
            await lock_ticket(ticket_id)
            if await RuleRun.exists().where(RuleRun.key == key):
                return False
            # Read again under the lock: an earlier rule (or worker) may have changed it.
            context = await build_context(
                topic=topic, payload=payload, ticket_id=ticket_id, now=now
            )
            if not evaluate(rule.conditions, context):
                return False
            done = await apply_actions(
                rule, key=key, context=context, ticket_id=ticket_id, depth=depth, now=now
            )
            await record_run(
                rule,
                key=key,
                event_id=event_id,
                topic=topic,
                ticket_id=ticket_id,
                done=done,
                error=None,
                now=now,
            )
        return True
    except FAILURES as exc:
        log.info("rule %s failed on event %s: %s", rule.id, event_id, exc)
        await _log_once(rule, key, event_id, topic, ticket_id, f"{exc}", now)
        return False


async def _log_once(
    rule: LoadedRule,
    key: str,
    event_id: int,
    topic: str,
    ticket_id: int | None,
    error: str,
    now: datetime,
) -> None:
    async with write_transaction():
        await lock_ticket(ticket_id)
        if not await RuleRun.exists().where(RuleRun.key == key):
            await record_run(
                rule,
                key=key,
                event_id=event_id,
                topic=topic,
                ticket_id=ticket_id,
                done=[],
                error=error,
                now=now,
            )


async def _earlier_events_first(rows: list[dict[str, Any]]) -> None:
    """Delivers the earlier events still pending of the rows' tickets before them (their
    rules first), and waits a little for those another worker is delivering. One query for
    the whole batch; the batch itself runs in id order."""
    from servicedesk.outbox.tasks import deliver

    first: dict[int, int] = {}
    for row in rows:
        ticket_id = _ticket_of(row)
        if ticket_id is not None:
            first.setdefault(ticket_id, int(row["id"]))
    if not first:
        return
    earlier = (
        await OutboxMessage.select(OutboxMessage.id, OutboxMessage.ticket, OutboxMessage.status)
        .where(
            OutboxMessage.kind == "event",
            OutboxMessage.ticket.is_in(sorted(first)),
            OutboxMessage.id < max(first.values()),
            OutboxMessage.status.is_in(["pending", "sending"]),
        )
        .order_by(OutboxMessage.id)
    )
    for row in earlier:
        if row["id"] >= first[row["ticket"]]:
            continue  # in this batch, or after the batch's first event of its ticket
        if row["status"] == "pending":
            await deliver(row["id"])
            continue
        waited = 0.0
        while waited < EARLIER_EVENT_WAIT_SECONDS:
            found = (
                await OutboxMessage.select(OutboxMessage.status)
                .where(OutboxMessage.id == row["id"])
                .first()
            )
            if not found or found["status"] != "sending":
                break
            await asyncio.sleep(0.1)
            waited += 0.1


def _ticket_of(row: dict[str, Any]) -> int | None:
    payload = row.get("payload") or {}
    ticket_id = row.get("ticket") or payload.get("ticket_id")
    return None if ticket_id is None else int(ticket_id)


def _event(row: dict[str, Any]) -> Event:
    return row["topic"], row.get("payload") or {}, _ticket_of(row)


async def consume(row: dict[str, Any]) -> None:
    """Runs the event rules on one outbox event row (consume_many for one)."""
    failures = await consume_many([row])
    if failures:
        raise failures[int(row["id"])]


async def consume_many(rows: list[dict[str, Any]]) -> dict[int, Exception]:
    """The plugin's event consumer: runs the event rules on a batch of outbox event rows,
    in id order; returns the rows that failed (the outbox retries them).

    Per batch, not per event: the follow-ups the batch's messages and reopens cancel (one
    statement), the rule set (cached, see active_rules), the earlier events of its tickets
    (one query), and the contexts of the events some rule listens to, holding only what
    those rules' conditions read (one query for the tickets and their customers). An event
    no rule listens to costs no query. After a rule fired, the later events of its ticket
    or customer in the batch are read again."""
    if not rows:
        return {}
    now = utcnow()
    await cancel_follow_ups(
        ticket_ids=sorted(
            {t for row in rows if row["topic"] in CANCELLING and (t := _ticket_of(row))}
        )
    )
    rules = await active_rules(newest_event=max(row["created_at"] for row in rows))
    listening = [(row, [r for r in rules if row["topic"] in r.events]) for row in rows]
    listening = [(row, found) for row, found in listening if found]
    if not listening:
        return {}
    await _earlier_events_first([row for row, _ in listening])
    parts = merged_parts(rule.parts for _, found in listening for rule in found)
    contexts: list[dict[str, Any] | None] = list(
        await build_contexts([_event(row) for row, _ in listening], now=now, parts=parts)
    )
    failures: dict[int, Exception] = {}
    changed: set[tuple[str, Any]] = set()  # the tickets and customers rules changed
    later = iter(rows)
    for (row, found), context in zip(listening, contexts, strict=True):
        for passed in later:  # the rows up to this one, in order
            await cancel_again(passed, _ticket_of(passed), changed)
            if passed is row:
                break
        if context is not None and _touches(context) & changed:
            context = None  # read again: an earlier event's rule changed it
        try:
            touched = await _run_rules(row, found, context, now, parts)
        except Exception as exc:  # the outbox retries the row with backoff
            log.warning("rules on event %s failed: %s", row["id"], exc)
            failures[int(row["id"])] = exc
            continue
        changed |= touched
    for passed in later:  # the rows after the last one a rule listens to
        await cancel_again(passed, _ticket_of(passed), changed)
    return failures


def _touches(context: dict[str, Any]) -> set[tuple[str, Any]]:
    return {
        ("ticket", (context.get("ticket") or {}).get("id")),
        ("customer", (context.get("customer") or {}).get("id")),
    } - {("ticket", None), ("customer", None)}


async def _run_rules(
    row: dict[str, Any],
    rules: list[LoadedRule],
    context: dict[str, Any] | None,
    now: datetime,
    parts: Parts,
) -> set[tuple[str, Any]]:
    """The listening rules on one event, in order, each seeing the earlier ones' changes;
    returns the tickets and customers of the context if a rule fired.

    From the first rule whose conditions hold on the batch's context, the rules run in
    one write transaction under the ticket's lock (_fire_together): one lock, one look at
    the run log, and the context read once plus once after each rule that fired. If an
    action fails there, all of it rolls back and the rules run again one transaction
    each (_fire), so that only the failing rule's changes are lost."""
    topic, payload, ticket_id = _event(row)
    if context is None:
        context = (await build_contexts([(topic, payload, ticket_id)], now=now, parts=parts))[0]
    first = next((n for n, rule in enumerate(rules) if evaluate(rule.conditions, context)), None)
    if first is None:
        return set()
    try:
        return await _fire_together(row, rules[first:], now)
    except FAILURES as exc:
        log.info("event %s: a rule failed (%s); its rules run again one by one", row["id"], exc)
    return await _fire_one_by_one(row, rules[first:], context, now, parts)


def _depth(payload: dict[str, Any]) -> int:
    return int((payload.get("cause") or {}).get("depth", 0))


async def _fire_together(
    row: dict[str, Any], rules: list[LoadedRule], now: datetime
) -> set[tuple[str, Any]]:
    topic, payload, ticket_id = _event(row)
    event_id = int(row["id"])
    depth = _depth(payload)
    keys = {rule.id: f"{rule.id}:{event_id}" for rule in rules}
    touched: set[tuple[str, Any]] = set()
    async with write_transaction():
        await lock_ticket(ticket_id)
        done = {
            r["key"]
            for r in await RuleRun.select(RuleRun.key).where(RuleRun.key.is_in(list(keys.values())))
        }
        context = await build_context(topic=topic, payload=payload, ticket_id=ticket_id, now=now)
        for rule in rules:
            if keys[rule.id] in done or not evaluate(rule.conditions, context):
                continue
            error, applied = None, []
            if depth >= MAX_DEPTH:
                error = f"not run: the chain of rules is deeper than {MAX_DEPTH} levels"
            else:
                applied = await apply_actions(
                    rule,
                    key=keys[rule.id],
                    context=context,
                    ticket_id=ticket_id,
                    depth=depth + 1,
                    now=now,
                )
            await record_run(
                rule,
                key=keys[rule.id],
                event_id=event_id,
                topic=topic,
                ticket_id=ticket_id,
                done=applied,
                error=error,
                now=now,
            )
            if error is None:
                touched |= _touches(context)
                context = await build_context(
                    topic=topic, payload=payload, ticket_id=ticket_id, now=now
                )
    return touched


async def _fire_one_by_one(
    row: dict[str, Any],
    rules: list[LoadedRule],
    context: dict[str, Any] | None,
    now: datetime,
    parts: Parts,
) -> set[tuple[str, Any]]:
    topic, payload, ticket_id = _event(row)
    event_id = int(row["id"])
    depth = _depth(payload)
    touched: set[tuple[str, Any]] = set()
    for rule in rules:
        if context is None:
            context = (await build_contexts([(topic, payload, ticket_id)], now=now, parts=parts))[0]
        if not evaluate(rule.conditions, context):
            continue
        if depth >= MAX_DEPTH:
            await _log_once(
                rule,
                f"{rule.id}:{event_id}",
                event_id,
                topic,
                ticket_id,
                f"not run: the chain of rules is deeper than {MAX_DEPTH} levels",
                now,
            )
            continue
        if await _fire(
            rule,
            event_id=event_id,
            topic=topic,
            payload=payload,
            ticket_id=ticket_id,
            depth=depth + 1,
            now=now,
        ):
            touched |= _touches(context)
            context = None  # the next rule sees this one's changes
    return touched
