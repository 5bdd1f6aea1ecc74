"""TicketMetrics facts, updated by the ticket services in the transaction of each change.

Every function here is called from servicedesk.tickets.service and nowhere else, so live
traffic, the importer and automation all produce the same facts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from servicedesk import statements, writes
from servicedesk.accounts.tables import Team
from servicedesk.clock import as_utc
from servicedesk.db import Sql, chunks, fetch, is_sqlite
from servicedesk.settings import get_settings
from servicedesk.sla import facts as sla

from . import queries
from .business_hours import Schedule
from .tables import TicketMetrics

M = TicketMetrics


def _minutes(start: datetime, end: datetime) -> float:
    return (as_utc(end) - as_utc(start)).total_seconds() / 60


async def team_schedule(team_id: int | None) -> Schedule:
    """The team's business hours (read and parsed once per unit of work, when there is one)."""

    async def load() -> Schedule:
        data: dict[str, Any] = {}
        if team_id is not None:
            row = (
                await Team.select(Team.schedule)
                .where(Team.id == team_id)
                .output(load_json=True)
                .first()
            )
            data = (row or {}).get("schedule") or {}
        return Schedule.from_json(data, get_settings().timezone)

    schedule: Schedule = await writes.get(Schedule, team_id, load)
    return schedule


async def _facts(ticket_id: int) -> dict[str, Any]:
    """The ticket's facts row (read once per unit of work, when there is one)."""

    async def load() -> dict[str, Any]:
        row = await M.select().where(M.ticket == ticket_id).first()
        assert row is not None, f"ticket {ticket_id} has no metrics row"
        return row

    row: dict[str, Any] = await writes.get(M, ticket_id, load)
    return row


async def _row_to_change(ticket_id: int) -> dict[str, Any]:
    """The facts row to change: the whole row in a unit of work; without one just its key,
    as an UPDATE that sets values or adds to counters needs no read."""
    return await _facts(ticket_id) if writes.current() else {"ticket": ticket_id}


def _insert_and_solved_within() -> Sql:
    """PostgreSQL: the facts row's INSERT and SOLVED_WITHIN in one statement; the SELECT
    reads the snapshot from before the INSERT, which is what it wants (other tickets' first
    solves). SQLite has no INSERT in WITH: there they are two statements."""
    global _INSERT_AND_SOLVED_WITHIN
    if _INSERT_AND_SOLVED_WITHIN is None:
        insert = statements.insert(M, returning=False)
        _INSERT_AND_SOLVED_WITHIN = Sql(
            f"WITH inserted AS ({insert.template}) {queries.SOLVED_WITHIN.template}"
        )
    return _INSERT_AND_SOLVED_WITHIN


_INSERT_AND_SOLVED_WITHIN: Sql | None = None


async def ticket_created(
    *,
    ticket_id: int,
    customer_id: int,
    channel: str,
    at: datetime,
    priority: str = "normal",
    opening_message: bool = False,
) -> None:
    """The new ticket's facts row. The ticket is also a repeat contact for the customer's
    tickets first solved within the window before it: first_solved_at < created_at <=
    first_solved_at + window.

    Each of them names the earliest such ticket, not the first one recorded: an import may
    replay Friday's contact before Wednesday's, and the drill-down must read as it would
    have live (and as after a merge, which asks _repeat_contact_after).

    `opening_message`: the customer's message that opens the ticket comes in this change
    (counted here; inbound_message(opening=True) then changes nothing)."""
    row = {
        "ticket": ticket_id,
        "customer": customer_id,
        "channel": channel,
        "status": "new",
        "created_at": at,
        "inbound_before_first_solve": 1 if opening_message else 0,
    } | await sla.created_values(channel=channel, priority=priority, at=at, schedule=team_schedule)
    if writes.current() is not None:
        # In a unit of work (the importer) the row goes out with the batch, and the other
        # tickets of the batch are not written yet: the customer's repeat contacts are
        # worked out once, when they are (refresh_repeat_contacts_of).
        await writes.insert(M, row)
        writes.remember(M, ticket_id, row)
        writes.defer(refresh_repeat_contacts_of, customer_id)
        return
    window = timedelta(hours=get_settings().repeat_contact_hours)
    solved_within = (customer_id, ticket_id, at - window, at)
    if is_sqlite():
        await writes.insert(M, row)
        rows = await fetch(queries.SOLVED_WITHIN, *solved_within)
    else:
        values = statements.values(M, statements.fill_defaults(M, row))
        rows = await fetch(_insert_and_solved_within(), *values, *solved_within)
    await _refresh_repeat_contacts(customer_id=customer_id, rows=rows)


async def _refresh_repeat_contacts(*, customer_id: int, rows: list[dict[str, Any]]) -> None:
    """Sets each ticket's repeat contact to the earliest one after its first solve."""
    for row in rows:
        repeat = await _repeat_contact_after(
            customer_id=customer_id,
            ticket_id=row["ticket"],
            first_solved_at=as_utc(row["first_solved_at"]),
        )
        await M.update({M.repeat_contact_ticket: repeat}).where(M.ticket == row["ticket"])


async def _repeat_contact_after(
    *, customer_id: int, ticket_id: int, first_solved_at: datetime
) -> int | None:
    """The first other ticket of the customer created within the window after a first solve."""
    window = timedelta(hours=get_settings().repeat_contact_hours)
    rows = await M.select(M.ticket, M.created_at).where(
        M.customer == customer_id,
        M.created_at > first_solved_at,
        M.created_at <= first_solved_at + window,
    )
    return _first_repeat(ticket_id, first_solved_at, rows)


def _first_repeat(
    ticket_id: int, first_solved_at: datetime, others: Iterable[dict[str, Any]]
) -> int | None:
    """The rule: the first other ticket of the customer created within the window after a
    first solve (ties: the lower id, so every path agrees), among the customer's tickets."""
    window = timedelta(hours=get_settings().repeat_contact_hours)
    after = [
        (as_utc(row["created_at"]), int(row["ticket"]))
        for row in others
        if row["ticket"] != ticket_id
        and first_solved_at < as_utc(row["created_at"]) <= first_solved_at + window
    ]
    return min(after)[1] if after else None


async def refresh_repeat_contacts_of(customer_ids: set[int]) -> None:
    """The repeat contacts of every first-solved ticket of these customers, from their
    tickets as they are now: the importer's batch step, one read and one write."""
    ids = sorted(customer_ids)
    tickets: dict[int, list[dict[str, Any]]] = {}
    for chunk in chunks(ids):
        for row in await M.select(
            M.ticket, M.customer, M.created_at, M.first_solved_at, M.repeat_contact_ticket
        ).where(M.customer.is_in(list(chunk))):
            tickets.setdefault(row["customer"], []).append(row)
    changes = []
    for rows in tickets.values():
        for row in rows:
            if row["first_solved_at"] is None:
                continue
            repeat = _first_repeat(row["ticket"], as_utc(row["first_solved_at"]), rows)
            if repeat != row["repeat_contact_ticket"]:
                changes.append((repeat, row["ticket"]))
    await writes.update_many(M, "ticket", "repeat_contact_ticket", changes)


async def inbound_message(*, ticket_id: int, at: datetime, opening: bool = False) -> None:
    """Counts a customer message until the first solve. `opening`: the message that opened
    the ticket, counted with its facts row (ticket_created's opening_message), which no
    agent has answered: it starts no next-reply target either, so nothing is read or
    written for it."""
    if opening:
        return
    await sla.inbound_message(row=await _row_to_change(ticket_id), at=at, schedule=team_schedule)
    # Live: one conditional UPDATE of the key, no read, with the change's later writes.
    await writes.update(
        M,
        await _row_to_change(ticket_id),
        add={"inbound_before_first_solve": 1},
        key="ticket",
        when_null="first_solved_at",
        later=True,
    )


async def public_reply(*, ticket_id: int, team_id: int | None, at: datetime) -> None:
    facts = await _facts(ticket_id)
    values: dict[str, Any] = {}
    add = {"agent_public_replies": 1}
    if facts["first_solved_at"] is None:
        add["replies_before_first_solve"] = 1
    if facts["first_response_at"] is None:
        created = facts["created_at"]
        values["first_response_at"] = at
        values["first_response_minutes"] = _minutes(created, at)
        values["first_response_business_minutes"] = (await team_schedule(team_id)).business_minutes(
            as_utc(created), as_utc(at)
        )
    await writes.update(M, facts, values, add=add, key="ticket")
    await sla.public_reply(row=facts, at=at, schedule=team_schedule)


async def solved(
    *, ticket_id: int, agent_id: int | None, team_id: int | None, at: datetime
) -> None:
    facts = await _facts(ticket_id)
    created = as_utc(facts["created_at"])
    values: dict[str, Any] = {
        "status": "solved",
        "last_solved_at": at,
        "agent": agent_id,
        "team": team_id,
        "full_resolution_minutes": _minutes(created, at),
        "full_resolution_business_minutes": (await team_schedule(team_id)).business_minutes(
            created, at
        ),
    }
    if facts["first_solved_at"] is None:
        values["first_solved_at"] = at
        # In a unit of work, worked out when the batch is written (see ticket_created).
        if not writes.defer(refresh_repeat_contacts_of, facts["customer"]):
            values["repeat_contact_ticket"] = await _repeat_contact_after(
                customer_id=facts["customer"], ticket_id=ticket_id, first_solved_at=at
            )
    await writes.update(M, facts, values, add={"solves": 1}, key="ticket")
    await sla.status_changed(row=facts, new="solved", at=at, schedule=team_schedule)


async def status_changed(*, ticket_id: int, old: str, new: str, at: datetime) -> None:
    reopened = old == "solved" and new in ("new", "open", "pending", "on_hold")
    row = await _row_to_change(ticket_id)
    await writes.update(
        M,
        row,
        {"status": new},
        add={"reopens": 1} if reopened else None,
        key="ticket",
    )
    await sla.status_changed(row=row, new=new, at=at, schedule=team_schedule)


async def ticket_routed(
    *, ticket_id: int, channel: str, priority: str, team_id: int | None, at: datetime
) -> None:
    """The ticket's priority or team changed: its SLA policy is picked again."""
    await sla.ticket_routed(
        row=await _row_to_change(ticket_id),
        channel=channel,
        priority=priority,
        team_id=team_id,
        at=at,
        schedule=team_schedule,
    )


async def rated(*, ticket_id: int, rating: int, comment: str | None) -> None:
    await writes.update(
        M,
        await _row_to_change(ticket_id),
        {"rating": rating, "rating_comment": comment},
        key="ticket",
    )


async def survey_sent(*, ticket_id: int) -> None:
    await writes.update(M, await _row_to_change(ticket_id), add={"surveys_sent": 1}, key="ticket")


async def solves(*, ticket_id: int) -> int:
    """How many times the ticket was solved: the solve a CSAT survey sent now is about."""
    return int((await _facts(ticket_id))["solves"])


async def recompute_repeat_contacts(*, customer_id: int) -> None:
    """After a merge the customer's tickets come from two histories: check each first solve again."""
    rows = await M.select(M.ticket, M.first_solved_at).where(
        M.customer == customer_id, M.first_solved_at.is_not_null()
    )
    await _refresh_repeat_contacts(customer_id=customer_id, rows=rows)
