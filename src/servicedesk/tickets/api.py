"""Ticket endpoints: thin; parse, guard, call one service function, shape the response."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Annotated

from litestar import Controller, Request, get, patch, post
from litestar.params import FromQuery, HeaderParameter, JSONBody, QueryParameter

from servicedesk.accounts.guards import Principal
from servicedesk.channels import phone
from servicedesk.channels import service as channels
from servicedesk.channels.schemas import AttachmentOut
from servicedesk.clock import utcnow
from servicedesk.customers.service import ContactIdentity
from servicedesk.cx import survey_answers
from servicedesk.errors import Invalid
from servicedesk.schemas import IdPath, IdQuery
from servicedesk.sla import queries as sla_queries
from servicedesk.text import TEXT_PATTERN

from . import service
from .schemas import (
    Channel,
    ContactIn,
    ContactOut,
    EventOut,
    InteractionOut,
    MessageIn,
    Priority,
    Satisfaction,
    Status,
    TicketCounts,
    TicketDetail,
    TicketPage,
    TicketSummary,
    TicketUpdate,
)

VIEWS = ("mine", "unassigned", "pending", "open", "solved")
# What _encode_cursor writes (URL-safe base64); anything else is refused as malformed (400).
CURSOR = "^[A-Za-z0-9_-]+={0,2}$"
RECENTLY_SOLVED_DAYS = 7


def _encode_cursor(row: dict) -> str:
    return base64.urlsafe_b64encode(
        f"{row['updated_at'].isoformat()}|{row['id']}".encode()
    ).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        stamp, ident = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(stamp), int(ident)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("cursor is not one this API returned", field="cursor") from exc


def view_filter(view: str | None, agent_id: int) -> service.TicketFilter:
    """The inbox views, as filters."""
    if view is None:
        return service.TicketFilter()
    return {
        "mine": service.TicketFilter(statuses=service.WORKING, assignee_id=agent_id),
        "unassigned": service.TicketFilter(statuses=service.WORKING, unassigned=True),
        "pending": service.TicketFilter(statuses=("pending",)),
        "open": service.TicketFilter(statuses=service.WORKING),
        "solved": service.TicketFilter(
            statuses=("solved", "closed"),
            solved_since=utcnow() - timedelta(days=RECENTLY_SOLVED_DAYS),
        ),
    }[view]


async def ticket_detail(ticket_id: int) -> TicketDetail:
    row = await service.ticket_summary_row(ticket_id)  # raises the 404
    interactions = [
        InteractionOut.of(i, row["customer_name"])
        for i in await service.interactions_of(ticket_id=ticket_id)
    ]
    await _add_email_parts(ticket_id, interactions)
    events = [
        EventOut(
            id=e["id"],
            actor_kind=e["actor_kind"],
            actor_name=e["actor_label"] or None,
            field=e["field"],
            old_value=e["old_value"],
            new_value=e["new_value"],
            created_at=e["created_at"],
        )
        for e in await service.events_of(ticket_id=ticket_id)
    ]
    summary = TicketSummary.of(row)
    answer = await survey_answers.ticket_satisfaction(ticket_id=ticket_id)
    return TicketDetail(
        **summary.model_dump(),
        follow_up_of=row["follow_up_of"],
        interactions=interactions,
        events=events,
        satisfaction=Satisfaction(**answer) if answer else None,
    )


async def _add_email_parts(ticket_id: int, interactions: list[InteractionOut]) -> None:
    """The attachments and fold offsets of a ticket's inbound emails, on their interactions."""
    by_id = {i.id: i for i in interactions}
    for attachment in await channels.attachments_of(ticket_id=ticket_id):
        if attachment["interaction"] in by_id:
            by_id[attachment["interaction"]].attachments.append(AttachmentOut.of(attachment))
    for email in await channels.emails_of(ticket_id=ticket_id):
        if email["interaction"] in by_id:
            by_id[email["interaction"]].fold_at = email["fold_at"]
    await phone.attach_calls(interactions)


class ContactController(Controller):
    path = "/api/contacts"
    tags = ["contacts"]

    @post("/", status_code=201, summary="Receive an inbound contact from any channel")
    async def receive_contact(
        self,
        request: Request,
        data: JSONBody[ContactIn],
        # Stored as "<agent id>:<key>" in a 200-character column: 180 leaves room for the id.
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", max_length=180)
        ] = None,
    ) -> ContactOut:
        principal: Principal = request.user
        thread = data.thread
        contact = service.Contact(
            channel=data.channel,
            identity=ContactIdentity(**data.customer.model_dump()),
            subject=data.subject,
            body=data.body,
            html=data.html,
            message_id=data.message_id,
            thread=service.ThreadRef(**thread.model_dump()) if thread else service.ThreadRef(),
        )
        key = f"{principal.agent['id']}:{idempotency_key}" if idempotency_key else None
        received = await service.receive_contact_answered(key=key, contact=contact)
        ticket = TicketSummary.of(received.ticket)
        return ContactOut(
            ticket=ticket,
            interaction=InteractionOut.of(received.interaction, ticket.customer.name),
            replayed=received.replayed,
        )


class TicketController(Controller):
    path = "/api/tickets"
    tags = ["tickets"]

    @get("/", summary="List tickets (keyset pages, newest activity first)")
    async def list_tickets(
        self,
        request: Request,
        view: Annotated[
            str | None, QueryParameter(pattern="^(mine|unassigned|pending|open|solved)$")
        ] = None,
        status: FromQuery[Status | None] = None,
        assignee_id: IdQuery = None,
        team_id: IdQuery = None,
        channel: FromQuery[Channel | None] = None,
        tag: Annotated[str | None, QueryParameter(max_length=100, pattern=TEXT_PATTERN)] = None,
        priority: FromQuery[Priority | None] = None,
        customer_id: IdQuery = None,
        q: Annotated[str | None, QueryParameter(max_length=200, pattern=TEXT_PATTERN)] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=200, pattern=CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> TicketPage:
        base = view_filter(view, request.user.agent["id"])
        filters = service.TicketFilter(
            statuses=(status,) if status else base.statuses,
            assignee_id=assignee_id if assignee_id is not None else base.assignee_id,
            unassigned=base.unassigned,
            team_id=team_id,
            channel=channel,
            tag=tag,
            priority=priority,
            customer_id=customer_id,
            text=q or None,
            solved_since=base.solved_since,
        )
        rows = await service.list_tickets(
            filters=filters, after=_decode_cursor(cursor) if cursor else None, limit=limit
        )
        next_cursor = _encode_cursor(rows[-1]) if len(rows) == limit else None
        return TicketPage(items=[TicketSummary.of(r) for r in rows], next_cursor=next_cursor)

    @get(
        "/breaching",
        summary="Breaching soon: tickets whose next SLA target is due within N hours or"
        " already breached, soonest first",
    )
    async def breaching(
        self,
        within_hours: Annotated[float, QueryParameter(gt=0, le=24 * 30)] = 4,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 100,
    ) -> TicketPage:
        ids = await sla_queries.breaching_ticket_ids(
            due_before=utcnow() + timedelta(hours=within_hours), limit=limit
        )
        if not ids:
            return TicketPage(items=[])
        rows = await service.list_tickets(filters=service.TicketFilter(ids=tuple(ids)), limit=limit)
        order = {ticket_id: i for i, ticket_id in enumerate(ids)}
        rows.sort(key=lambda row: order[row["id"]])
        return TicketPage(items=[TicketSummary.of(r) for r in rows])

    @get("/counts", summary="Ticket counts of the inbox views")
    async def counts(self, request: Request) -> TicketCounts:
        agent_id = request.user.agent["id"]
        values = {
            view: await service.count_tickets(filters=view_filter(view, agent_id)) for view in VIEWS
        }
        return TicketCounts(**values)

    @get("/{ticket_id:int}", summary="A ticket with its timeline and audit trail")
    async def get_ticket(self, ticket_id: IdPath) -> TicketDetail:
        return await ticket_detail(ticket_id)

    @patch("/{ticket_id:int}", summary="Change status, priority, assignee, team or tags")
    async def update_ticket(
        self, request: Request, ticket_id: IdPath, data: JSONBody[TicketUpdate]
    ) -> TicketDetail:
        principal: Principal = request.user
        await service.update_ticket(
            ticket_id=ticket_id, changes=data.changes(), actor=principal.actor
        )
        return await ticket_detail(ticket_id)

    @post("/{ticket_id:int}/messages", status_code=201, summary="Public reply or internal note")
    async def add_message(
        self, request: Request, ticket_id: IdPath, data: JSONBody[MessageIn]
    ) -> InteractionOut:
        principal: Principal = request.user
        interaction_id = await service.add_agent_message(
            ticket_id=ticket_id,
            actor=principal.actor,
            body=data.body,
            public=data.public,
            channel=data.channel,
        )
        row = await service.get_interaction(interaction_id=interaction_id)
        return InteractionOut.of(row)
