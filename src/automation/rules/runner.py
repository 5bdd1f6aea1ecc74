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
  transaction is exclusive; on PostgreSQL an advisory transaction lock on the ticket).

The rule set (read and compiled once per version) is in ruleset.py, the firing of the
rules on one event (transactions, run log, chain depth) in firing.py."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from servicedesk.clock import utcnow
from servicedesk.outbox.tables import OutboxMessage

from .conditions import merged_parts
from .context import Event, Parts, build_contexts
from .firing import FAILURES, EventRun, fire_one_by_one, fire_together, touches
from .followups import CANCELLING, cancel_again, cancel_follow_ups
from .ruleset import LoadedRule, rule_set

log = logging.getLogger(__name__)

# How long an event waits for an earlier event of its ticket that another worker is
# delivering, before going ahead (that worker may have died; its claim goes stale).
EARLIER_EVENT_WAIT_SECONDS = 5.0


async def _earlier_events_first(rows: list[dict[str, Any]], batch: set[int]) -> None:
    """Delivers the earlier events still pending of the rows' tickets before them (their
    rules first), and waits a little for those another worker is delivering. One query for
    the whole batch; the batch itself runs in id order. `batch`: the ids of every row of
    the batch, the ones no rule listens to included: this worker holds them (claimed,
    'sending'), so they are never waited for."""
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
        if row["id"] in batch or row["id"] >= first[row["ticket"]]:
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
    statement), the rule set (cached, see ruleset.rule_set), the earlier events of its tickets
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
    rules = await rule_set(newest_event=max(row["created_at"] for row in rows))
    listening = [(row, found) for row in rows if (found := rules.listening(row["topic"]))]
    if not listening:
        return {}
    await _earlier_events_first([row for row, _ in listening], {int(row["id"]) for row in rows})
    parts = merged_parts(rules.parts_by_topic[t] for t in {row["topic"] for row, _ in listening})
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
        if context is not None and touches(context) & changed:
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
    one write transaction under the ticket's lock (firing.fire_together): one lock, one look at
    the run log, and the context read once plus once after each rule that fired. If an
    action fails there, all of it rolls back and the rules run again one transaction
    each (firing.fire_one_by_one), so that only the failing rule's changes are lost."""
    topic, payload, ticket_id = _event(row)
    event = EventRun(event_id=int(row["id"]), topic=topic, payload=payload, ticket_id=ticket_id)
    if context is None:
        context = await event.context(now, parts)
    first = next((n for n, rule in enumerate(rules) if rule.check(context)), None)
    if first is None:
        return set()
    try:
        return await fire_together(event, rules[first:], now, parts)
    except FAILURES as exc:
        log.info("event %s: a rule failed (%s); its rules run again one by one", row["id"], exc)
    return await fire_one_by_one(event, rules[first:], context, now, parts)
