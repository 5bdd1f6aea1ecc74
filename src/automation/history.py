"""The desk's history as the events rules see, rebuilt from what the desk keeps: the audit
trail (ticket_event), the messages (interaction), the survey answers, the customers, the
leads' history (lead_event) and the SLA clocks, with each ticket as it was at the moment
of each event. The dry-run replays it through a rule.

Outbox events are not used: imported history raises none, and they are pruned in time;
the audit trail is complete for live and imported tickets alike. How each event is
derived (docs/automation-dry-run.md):

- `ticket.created`: the audit row "created".
- `message.received`: each inbound customer message but the one that opened the ticket.
- `reply.sent`: each public agent message.
- `ticket.solved` / `ticket.reopened`: a status change to solved / from solved to a
  working status.
- `ticket.updated`: the field changes (status, priority, assignee, team, subject, tags)
  made together by an agent, a rule or the system, except the status change that an
  agent's reply makes by itself (new -> open), as the live desk raises them.
- `survey.answered`: each survey answer (CSAT, NPS, CES) about the ticket.
- `customer.created`, `lead.stage_changed`: the customers' rows and the leads' history
  (automation.people_history).
- `sla.breached`: the desk keeps no breaches, so the SLA clock is replayed through each
  ticket's history (automation.sla_history; its approximations are there).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from servicedesk.cx.tables import SurveyResponse
from servicedesk.db import chunks
from servicedesk.tickets.tables import Interaction, Ticket, TicketEvent

from . import people_history, sla_history
from .people_history import CUSTOMER_CREATED, STAGE_CHANGED
from .sla_history import BREACHED, CHANGED

WORKING = ("new", "open", "pending", "on_hold")
_FIELDS = ("status", "priority", "assignee", "team", "subject")
TICKET_TOPICS = (
    "ticket.created",
    "message.received",
    "reply.sent",
    "ticket.solved",
    "ticket.reopened",
    "ticket.updated",
    "survey.answered",
)
ALL_TOPICS = (*TICKET_TOPICS, BREACHED, CUSTOMER_CREATED, STAGE_CHANGED)


@dataclass
class TicketState:
    """A ticket as it was at one moment of its history."""

    id: int
    subject: str
    status: str
    priority: str
    channel: str
    customer: int
    assignee: int | None
    team: int | None
    created_at: datetime
    updated_at: datetime
    solved_at: datetime | None = None
    status_changed_at: datetime | None = None
    customer_message_at: datetime | None = None
    reopens: int = 0
    tags: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        """The ticket as a row of its table (plus tags and the derived times)."""
        return dict(self.__dict__, tags=list(self.tags))


@dataclass
class HistoryEvent:
    """One event as the live desk raised it, with its ticket as it was then (None: a new
    customer, a lead without a source ticket), the live payload's fields that conditions
    read (a survey answer, a breach, a stage change) and, for a lead's event, the lead as
    it was."""

    topic: str
    at: datetime
    ticket: dict[str, Any] | None
    message: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    changes: dict[str, list[Any]] | None = None
    lead: dict[str, Any] | None = None

    @property
    def ticket_id(self) -> int | None:
        return None if self.ticket is None else int(self.ticket["id"])

    @property
    def customer_id(self) -> int | None:
        """The customer it is about: the payload's (a new customer, a lead), else its
        ticket's."""
        found = (self.payload or {}).get("customer_id") or (self.ticket or {}).get("customer")
        return int(found) if found else None


def _int(value: str | None) -> int | None:
    return None if value in (None, "", "None") else int(value)  # type: ignore[arg-type]


def _tags(value: str | None) -> list[str]:
    return [tag for tag in (value or "").split(",") if tag]


def _value(name: str, value: str | None) -> Any:
    if name in ("assignee", "team"):
        return _int(value)
    if name == "tags":
        return _tags(value)
    return value


async def _ticket_ids(start: datetime, end: datetime) -> list[int]:
    """Tickets with anything recorded in [start, end)."""
    ids: set[int] = set()
    for table in (TicketEvent, Interaction, SurveyResponse):
        rows = await table.select(table.ticket).where(  # type: ignore[attr-defined]
            table.created_at >= start,  # type: ignore[attr-defined]
            table.created_at < end,  # type: ignore[attr-defined]
            table.ticket.is_not_null(),  # type: ignore[attr-defined]
        )
        ids.update(int(row["ticket"]) for row in rows)
    return sorted(ids)


async def _rows(table: Any, ids: list[int], end: datetime) -> dict[int, list[dict[str, Any]]]:
    by_ticket: dict[int, list[dict[str, Any]]] = {}
    for part in chunks(ids):
        rows = await table.select().where(table.ticket.is_in(list(part)), table.created_at < end)
        for row in rows:
            by_ticket.setdefault(int(row["ticket"]), []).append(row)
    return by_ticket


async def ticket_histories(
    ids: list[int], end: datetime, *, sla: bool = False
) -> dict[int, list[HistoryEvent]]:
    """Each ticket's events from its creation until `end`, in time order; with `sla`, its
    SLA breaches too. The CHANGED events among them are no rule's: they mark every moment
    the ticket's fields changed."""
    tickets: dict[int, dict[str, Any]] = {}
    for part in chunks(ids):
        for row in await Ticket.select().where(Ticket.id.is_in(list(part))):
            tickets[int(row["id"])] = row
    audit = await _rows(TicketEvent, ids, end)
    messages = await _rows(Interaction, ids, end)
    answers = await _rows(SurveyResponse, ids, end)
    histories = {
        ticket_id: list(
            _replay_ticket(
                ticket,
                audit.get(ticket_id, []),
                messages.get(ticket_id, []),
                answers.get(ticket_id, []),
            )
        )
        for ticket_id, ticket in tickets.items()
    }
    if sla:
        await sla_history.add_breaches(histories.values(), end)
    return histories


async def load_history(
    start: datetime, end: datetime, topics: Collection[str] | None = None
) -> list[HistoryEvent]:
    """Every event of [start, end) (of `topics`, else of all), in time order, each with
    its ticket as it was then. Only what the topics need is read."""
    wanted = set(topics if topics is not None else ALL_TOPICS)
    ids: set[int] = set()
    if wanted & set(TICKET_TOPICS):
        ids.update(await _ticket_ids(start, end))
    sla = BREACHED in wanted and await sla_history.any_policy()
    if sla:
        ids.update(await _clock_ticket_ids(start, end))
    histories = await ticket_histories(sorted(ids), end, sla=sla)
    events = [event for history in histories.values() for event in history]
    if CUSTOMER_CREATED in wanted:
        events += await people_history.customers_created(start, end)
    if STAGE_CHANGED in wanted:
        events += await people_history.lead_stage_changes(start, end)
    events = [event for event in events if event.topic in wanted and start <= event.at < end]
    events.sort(key=lambda event: (event.at, event.ticket_id or 0))
    return events


async def _clock_ticket_ids(start: datetime, end: datetime) -> list[int]:
    """Tickets whose SLA clock may have fallen due in [start, end): created before its
    end, and working now or changed since its start (a ticket last changed before the
    period was in the status it has now all through it)."""
    rows = await Ticket.select(Ticket.id).where(
        Ticket.created_at < end,
        (Ticket.status.is_in(list(WORKING))) | (Ticket.updated_at >= start),
    )
    return sorted(int(row["id"]) for row in rows)


async def tickets_alive(start: datetime, end: datetime, solved_window: timedelta) -> list[int]:
    """Tickets a time rule may have looked at in [start, end): created before its end, and
    working or solved within `solved_window` at some moment of it."""
    rows = await Ticket.select(Ticket.id).where(
        Ticket.created_at < end,
        (Ticket.solved_at.is_null()) | (Ticket.updated_at >= start - solved_window),
    )
    return sorted(int(row["id"]) for row in rows)


def _initial_state(ticket: dict[str, Any], audit: list[dict[str, Any]]) -> TicketState:
    """The ticket as created: each field's first audited old value, else its value now."""
    first_old: dict[str, Any] = {}
    for row in audit:
        if row["field"] in (*_FIELDS, "tags") and row["field"] not in first_old:
            first_old[row["field"]] = _value(row["field"], row["old_value"])
    return TicketState(
        id=int(ticket["id"]),
        subject=first_old.get("subject", ticket["subject"]),
        status=first_old.get("status", ticket["status"]),
        priority=first_old.get("priority", ticket["priority"]),
        channel=ticket["channel"],
        customer=int(ticket["customer"]),
        assignee=first_old.get("assignee", ticket["assignee"]),
        team=first_old.get("team", ticket["team"]),
        created_at=ticket["created_at"],
        updated_at=ticket["created_at"],
        status_changed_at=ticket["created_at"],
        tags=list(first_old.get("tags", [])),
    )


def _replay_ticket(
    ticket: dict[str, Any],
    audit: list[dict[str, Any]],
    messages: list[dict[str, Any]],
    answers: list[dict[str, Any]],
) -> Iterator[HistoryEvent]:
    audit.sort(key=lambda row: (row["created_at"], row["id"]))
    state = _initial_state(ticket, audit)
    # One timeline: (time, order within the moment, kind, row). At one moment the changes
    # come before the message that caused them (the live desk's rules see the ticket
    # after the whole change), and survey answers last.
    timeline: list[tuple[datetime, int, int, str, dict[str, Any]]] = []
    timeline += [(row["created_at"], 0, row["id"], "audit", row) for row in audit]
    timeline += [(row["created_at"], 1, row["id"], "message", row) for row in messages]
    timeline += [(row["created_at"], 2, row["id"], "survey", row) for row in answers]
    timeline.sort(key=lambda item: item[:3])
    opening_message_seen = False
    reply_moments = {
        row["created_at"] for row in messages if row["direction"] == "outbound" and row["public"]
    }
    index = 0
    while index < len(timeline):
        at, _, _, kind, row = timeline[index]
        if kind == "message":
            index += 1
            state.updated_at = at
            if row["direction"] == "inbound":
                state.customer_message_at = at
                if not opening_message_seen:
                    opening_message_seen = True
                    continue
                yield HistoryEvent("message.received", at, state.row(), message=_message(row))
            elif row["public"]:
                yield HistoryEvent("reply.sent", at, state.row(), message=_message(row))
            continue
        if kind == "survey":
            index += 1
            yield HistoryEvent("survey.answered", at, state.row(), payload=_survey(row))
            continue
        # The audit rows of one change: same moment, same actor.
        group = [row]
        index += 1
        while index < len(timeline):
            next_at, _, _, next_kind, next_row = timeline[index]
            if (
                next_kind != "audit"
                or next_at != at
                or (next_row["actor_kind"], next_row["actor_label"])
                != (row["actor_kind"], row["actor_label"])
            ):
                break
            group.append(next_row)
            index += 1
        yield from _apply_change(state, group, at, at in reply_moments)


def _apply_change(
    state: TicketState, group: list[dict[str, Any]], at: datetime, with_reply: bool
) -> Iterator[HistoryEvent]:
    changes: dict[str, list[Any]] = {}
    status_events: list[str] = []
    for row in group:
        name = row["field"]
        if name == "created":
            yield HistoryEvent("ticket.created", at, state.row())
            continue
        if name not in (*_FIELDS, "tags"):
            continue
        old, new = getattr(state, name), _value(name, row["new_value"])
        setattr(state, name, new)
        state.updated_at = at
        if name == "status":
            state.status_changed_at = at
            if new == "solved":
                state.solved_at = at
                status_events.append("ticket.solved")
            elif old == "solved" and new in WORKING:
                state.reopens += 1
                status_events.append("ticket.reopened")
        if old != new:
            changes[name] = [old, new]
    for topic in status_events:
        yield HistoryEvent(topic, at, state.row(), changes=changes)
    by_customer = group[0]["actor_kind"] == "customer"
    reply_status = (
        with_reply and list(changes) == ["status"] and changes["status"] == ["new", "open"]
    )
    if changes and not by_customer and not reply_status:
        yield HistoryEvent("ticket.updated", at, state.row(), changes=changes)
    if changes:
        yield HistoryEvent(CHANGED, at, state.row(), changes=changes)


def _message(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "body": row["body_text"],
        "channel": row["channel"],
        "direction": row["direction"],
    }


def _survey(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "rating": row["score"],
        "comment": row["comment"],
        "customer_id": row["customer"],
    }


def hours_between(start: datetime, end: datetime) -> Iterator[datetime]:
    """Every full hour in [start, end): the moments a time rule is replayed at."""
    hour = start.replace(minute=0, second=0, microsecond=0)
    if hour < start:
        hour += timedelta(hours=1)
    while hour < end:
        yield hour
        hour += timedelta(hours=1)
