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
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import TemplateError
from pydantic import BaseModel

from servicedesk.clock import utcnow
from servicedesk.db import Sql, fetch, get_engine, is_sqlite, write_transaction
from servicedesk.errors import DomainError
from servicedesk.outbox import service as outbox
from servicedesk.outbox.tables import OutboxMessage

from . import actions as action_types
from . import queries, safety
from .conditions import evaluate
from .context import build_context
from .schemas import Conditions, RuleIn, TimeTrigger
from .service import parsed_actions
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

    @property
    def is_time_rule(self) -> bool:
        return not self.events


_cache: tuple[Any, list[LoadedRule]] | None = None


async def active_rules() -> list[LoadedRule]:
    """The active rules in (position, id) order, parsed once per change of the rule set."""
    global _cache
    version = await queries.rules_version()
    if _cache is not None and _cache[0] == version:
        return _cache[1]
    loaded = []
    for row in await queries.active_rules():
        rule = RuleIn.model_validate(
            {k: row[k] for k in ("name", "active", "position", "trigger", "conditions", "actions")}
        )
        actions = parsed_actions(rule)
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


async def cancel_follow_ups(*, ticket_id: int) -> int:
    """Drops the follow-up emails of a ticket not sent yet (the customer wrote, or the
    ticket was reopened, first); they stay in the outbox as "cancelled"."""
    rows = (
        await OutboxMessage.update({OutboxMessage.status: "cancelled"})
        .where(
            OutboxMessage.ticket == ticket_id,
            OutboxMessage.kind == "email",
            OutboxMessage.topic == action_types.FOLLOW_UP_TOPIC,
            OutboxMessage.status == "pending",
        )
        .returning(OutboxMessage.id)
    )
    return len(rows)


async def _earlier_events_first(event_id: int, ticket_id: int) -> None:
    """Delivers the ticket's earlier events still pending before this one (their rules
    first), and waits a little for those another worker is delivering."""
    from servicedesk.outbox.tasks import deliver

    earlier = (
        await OutboxMessage.select(OutboxMessage.id, OutboxMessage.status)
        .where(
            OutboxMessage.kind == "event",
            OutboxMessage.ticket == ticket_id,
            OutboxMessage.id < event_id,
            OutboxMessage.status.is_in(["pending", "sending"]),
        )
        .order_by(OutboxMessage.id)
    )
    for row in earlier:
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


async def _opening_message(topic: str, payload: dict[str, Any], ticket_id: int | None) -> bool:
    """The spec: the customer message that opened a ticket raises no message.received (the
    core emits one; rules ignore it, ticket.created stands for it)."""
    if topic != "message.received" or ticket_id is None:
        return False
    return payload.get("interaction_id") == await queries.opening_interaction(ticket_id)


@contextlib.asynccontextmanager
async def one_connection() -> AsyncIterator[None]:
    """Reads on one PostgreSQL connection (a read transaction). The worker's tasks run
    without a pool, so each query outside a transaction opens a connection of its own:
    building one context took ~15 of them. SQLite connections are local and cheap."""
    engine = get_engine()
    if is_sqlite() or engine.transaction_exists():
        yield
        return
    async with engine.transaction():
        yield


async def consume(row: dict[str, Any]) -> None:
    """The plugin's event consumer: runs the event rules on one outbox event row."""
    topic = row["topic"]
    payload: dict[str, Any] = row.get("payload") or {}
    ticket_id = row.get("ticket") or payload.get("ticket_id")
    event_id = int(row["id"])
    now = utcnow()
    if ticket_id is not None and topic in ("message.received", "ticket.reopened"):
        await cancel_follow_ups(ticket_id=ticket_id)
    async with one_connection():
        rules = [rule for rule in await active_rules() if topic in rule.events]
        if not rules or await _opening_message(topic, payload, ticket_id):
            return
    if ticket_id is not None:
        await _earlier_events_first(event_id, ticket_id)
    depth = int((payload.get("cause") or {}).get("depth", 0))
    context: dict[str, Any] | None = None
    for rule in rules:
        if context is None:
            async with one_connection():
                context = await build_context(
                    topic=topic, payload=payload, ticket_id=ticket_id, now=now
                )
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
            context = None  # the next rule sees this one's changes
