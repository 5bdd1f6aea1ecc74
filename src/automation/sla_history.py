"""When a ticket's SLA targets were breached, worked out again from its history.

The desk keeps a ticket's SLA clock only as it is now (ticket_metrics.sla_clock: a target
fulfilled or ended leaves it, and `sla.breached` leaves no trace but the outbox's event,
which imported history never had and which is pruned in time). So the clock is replayed:
the ticket's history (automation.history) goes through the live SLA steps
(servicedesk.sla.facts: a new ticket, a customer message, a public reply, a status
change, a change of priority or team) on a facts row held in memory (writes.discarded:
nothing is written), and the breach check (servicedesk.sla.service.check_breaches) runs
whenever a target falls due between two steps.

Approximations: the policies are the active ones as they are now (an edited, disabled or
deleted policy is not seen as it was), and so are the teams' business hours; a breach is
dated at its due time, where the live check raises it within the minute after.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from servicedesk import writes
from servicedesk.clock import as_utc, iso
from servicedesk.cx.facts import team_schedule
from servicedesk.sla import clock as rules
from servicedesk.sla import facts as sla
from servicedesk.sla.clock import Clock

if TYPE_CHECKING:
    from .history import HistoryEvent

BREACHED = "sla.breached"
# Not an event rules listen to: every change of a ticket's fields at one moment, which the
# SLA steps follow (a customer's change raises no ticket.updated but pauses clocks too).
CHANGED = "fields.changed"


async def any_policy() -> bool:
    """Whether a ticket could have an SLA clock at all (no active policy: no replay)."""
    return bool(await sla.active_policies())


async def add_breaches(histories: Iterable[list[HistoryEvent]], end: datetime) -> None:
    """Adds to each ticket's history its `sla.breached` events until `end`, in time order,
    each with the ticket as it was then and the live payload {ticket_id, target, due_at,
    policy_id}. One unit of work for all: the policies are read once."""
    with writes.discarded():
        for history in histories:
            history += await _breaches(history, end)
            history.sort(key=lambda event: event.at)  # stable: a breach after its moment's steps


async def _breaches(history: list[HistoryEvent], end: datetime) -> list[HistoryEvent]:
    found: list[HistoryEvent] = []
    facts: dict[str, Any] | None = None
    for index, event in enumerate(history):
        if facts is not None:
            found += _falling_due(facts, history[index - 1], event.at)
        facts = await _step(facts, event)
    if facts is not None:
        found += _falling_due(facts, history[-1], end)
    return found


def _falling_due(
    facts: dict[str, Any], last: HistoryEvent, before: datetime
) -> Iterator[HistoryEvent]:
    """The breach check run at each due time after the `last` step and before `before`
    (a step at the due time itself comes first: a reply then still meets the target), as
    check_breaches does. A target a step left overdue (a change of policy) breaches at
    that step."""
    from .history import HistoryEvent

    state = last.ticket
    assert state is not None
    while facts["sla_check_at"] is not None and as_utc(facts["sla_check_at"]) < as_utc(before):
        at = max(as_utc(facts["sla_check_at"]), as_utc(last.at))
        clock = Clock.from_json(facts["sla_clock"])
        for name in rules.due_breaches(clock, at):
            due = clock.targets[name].due
            assert due is not None
            payload = {
                "ticket_id": state["id"],
                "target": name,
                "due_at": iso(as_utc(due)),
                "policy_id": clock.policy,
            }
            yield HistoryEvent(BREACHED, at, state, payload=payload)
        facts["sla_clock"] = clock.to_json()
        facts["sla_check_at"] = rules.check_at(clock, facts["status"])


async def _step(facts: dict[str, Any] | None, event: HistoryEvent) -> dict[str, Any] | None:
    """The ticket's facts row after `event`, through the SLA step the live desk ran."""
    ticket = event.ticket
    assert ticket is not None
    if event.topic == "ticket.created":
        values = await sla.created_values(
            channel=ticket["channel"],
            priority=ticket["priority"],
            at=event.at,
            schedule=team_schedule,
        )
        return {
            "ticket": ticket["id"],
            "status": ticket["status"],
            "created_at": ticket["created_at"],
            "first_response_at": None,
        } | values
    if facts is None:
        return None  # no creation in the history: nothing to replay
    if event.topic == "message.received":
        await sla.inbound_message(row=facts, at=event.at, schedule=team_schedule)
    elif event.topic == "reply.sent":
        if facts["first_response_at"] is None:
            facts["first_response_at"] = event.at
        await sla.public_reply(row=facts, at=event.at, schedule=team_schedule)
    elif event.topic == CHANGED:
        changes = event.changes or {}
        # As update_ticket: the policy is picked again, then the status changes.
        if "priority" in changes or "team" in changes:
            await sla.ticket_routed(
                row=facts,
                channel=ticket["channel"],
                priority=ticket["priority"],
                team_id=ticket["team"],
                at=event.at,
                schedule=team_schedule,
            )
        if "status" in changes:
            facts["status"] = ticket["status"]
            await sla.status_changed(
                row=facts, new=ticket["status"], at=event.at, schedule=team_schedule
            )
    return facts
