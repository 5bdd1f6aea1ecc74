"""Reading tickets: one ticket, its interactions and audit trail, and lists by filter
(keyset pages of summaries with the customer, assignee and tags in one query)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.querystring import QueryString

from servicedesk import writes
from servicedesk.db import fetch, fetch_one, is_sqlite, matches_text
from servicedesk.errors import NotFound

from . import queries
from .tables import Interaction, Ticket, TicketEvent, TicketTag


async def tags_of(ticket_id: int) -> list[str]:
    return [row["tag"] for row in await fetch(queries.TAGS_OF, ticket_id)]


async def load_ticket(ticket_id: int) -> dict[str, Any]:
    """The ticket's row (read once per unit of work, when there is one)."""

    async def load() -> dict[str, Any]:
        row = await fetch_one(queries.TICKET_BY_ID, ticket_id)
        if not row:
            raise NotFound(f"ticket {ticket_id} does not exist", field="ticket_id")
        return row

    row: dict[str, Any] = await writes.get(Ticket, ticket_id, load)
    return row


async def get_ticket(*, ticket_id: int) -> dict[str, Any]:
    ticket = await load_ticket(ticket_id)
    ticket["tags"] = await tags_of(ticket_id)
    return ticket


async def interactions_of(*, ticket_id: int) -> list[dict[str, Any]]:
    return (
        await Interaction.select(
            *Interaction.all_columns(), Interaction.author_agent.name.as_alias("author_name")
        )
        .where(Interaction.ticket == ticket_id)
        .order_by(Interaction.created_at, Interaction.id)
    )


async def get_interaction(*, interaction_id: int) -> dict[str, Any]:
    """One interaction, as interactions_of returns them."""
    row = (
        await Interaction.select(
            *Interaction.all_columns(), Interaction.author_agent.name.as_alias("author_name")
        )
        .where(Interaction.id == interaction_id)
        .first()
    )
    if not row:
        raise NotFound(f"interaction {interaction_id} does not exist", field="interaction_id")
    return row


async def events_of(*, ticket_id: int) -> list[dict[str, Any]]:
    return (
        await TicketEvent.select()
        .where(TicketEvent.ticket == ticket_id)
        .order_by(TicketEvent.created_at, TicketEvent.id)
    )


@dataclass(frozen=True)
class TicketFilter:
    statuses: tuple[str, ...] = ()
    assignee_id: int | None = None
    unassigned: bool = False
    team_id: int | None = None
    channel: str | None = None
    tag: str | None = None
    priority: str | None = None
    customer_id: int | None = None
    text: str | None = None
    solved_since: datetime | None = None
    ids: tuple[int, ...] = ()


def _where(f: TicketFilter) -> list[Any]:
    where: list[Any] = []
    if f.ids:
        where.append(Ticket.id.is_in(list(f.ids)))
    if f.statuses:
        where.append(Ticket.status.is_in(list(f.statuses)))
    if f.assignee_id is not None:
        where.append(Ticket.assignee == f.assignee_id)
    if f.unassigned:
        where.append(Ticket.assignee.is_null())
    if f.team_id is not None:
        where.append(Ticket.team == f.team_id)
    if f.channel:
        where.append(Ticket.channel == f.channel)
    if f.priority:
        where.append(Ticket.priority == f.priority)
    if f.customer_id is not None:
        where.append(Ticket.customer == f.customer_id)
    if f.tag:
        where.append(
            Ticket.id.is_in(
                TicketTag.select(TicketTag.ticket).where(TicketTag.tag == f.tag.lower())
            )
        )
    if f.solved_since is not None:
        where.append(Ticket.solved_at >= f.solved_since)
    if f.text:
        pattern = f"%{f.text}%"
        in_body = Interaction.select(Interaction.ticket).where(
            matches_text(Interaction.body_text, pattern)
        )
        condition = matches_text(Ticket.subject, pattern) | Ticket.id.is_in(in_body)
        if f.text.lstrip("#").isdigit():
            condition = condition | (Ticket.id == int(f.text.lstrip("#")))
        where.append(condition)
    return where


def _summary_query() -> Any:
    """Tickets with what a summary shows (customer and assignee names, the customer's first
    email, the tags, the SLA target due next), in one query."""
    return Ticket.select(
        *Ticket.all_columns(),
        Ticket.customer.name.as_alias("customer_name"),
        Ticket.assignee.name.as_alias("assignee_name"),
        Ticket.assignee.email.as_alias("assignee_email"),
        QueryString(queries.CUSTOMER_EMAIL).as_alias("customer_email"),
        QueryString(queries.TAGS_SQLITE if is_sqlite() else queries.TAGS_POSTGRES).as_alias("tags"),
        QueryString(queries.SLA_TARGET).as_alias("sla_target"),
        QueryString(queries.SLA_DUE_AT).as_alias("sla_due_at"),
    )


def _summary_row(row: dict[str, Any]) -> dict[str, Any]:
    tags = row["tags"]
    row["tags"] = json.loads(tags) if isinstance(tags, str) else list(tags or [])
    return row


async def ticket_summary_row(ticket_id: int) -> dict[str, Any]:
    """One ticket as list_tickets returns it."""
    row = await _summary_query().where(Ticket.id == ticket_id).first()
    if not row:
        raise NotFound(f"ticket {ticket_id} does not exist", field="ticket_id")
    return _summary_row(row)


async def list_tickets(
    *, filters: TicketFilter, after: tuple[datetime, int] | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Tickets matching the filter, most recently updated first, by keyset pages:
    `after` is the (updated_at, id) of the last row of the previous page."""
    where = _where(filters)
    if after is not None:
        updated, last_id = after
        where.append(
            (Ticket.updated_at < updated) | ((Ticket.updated_at == updated) & (Ticket.id < last_id))
        )
    query = _summary_query()
    if where:
        query = query.where(*where)
    rows = await query.order_by(Ticket.updated_at, Ticket.id, ascending=False).limit(limit)
    return [_summary_row(row) for row in rows]


async def count_tickets(*, filters: TicketFilter) -> int:
    where = _where(filters)
    query = Ticket.count()
    return await (query.where(*where) if where else query)
