"""Inbound contacts from every channel: identify the sender, thread the contact into the
ticket it continues (reopening a solved one, following up a closed one) or open a ticket;
an idempotency key makes a retried request create nothing twice."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from servicedesk import writes
from servicedesk.actors import CUSTOMER, Actor
from servicedesk.clock import utcnow
from servicedesk.customers import service as customers
from servicedesk.customers.service import ContactIdentity
from servicedesk.cx import facts
from servicedesk.db import fetch_one, write_transaction
from servicedesk.errors import Conflict, Invalid, NotFound

from . import queries
from .changes import change_status, emit, log_change
from .messages import insert_interaction
from .reads import get_interaction, load_ticket, ticket_summary_row
from .rules import CHANNELS, PRIORITIES, check_choice, sanitize_html, status_after_inbound
from .tables import IdempotencyKey, Ticket

UNIQUE_VIOLATIONS = (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError)


@dataclass(frozen=True)
class ThreadRef:
    """How an inbound contact names the conversation it continues, if it does."""

    ticket_id: int | None = None
    in_reply_to: str | None = None  # an email Message-ID we sent or received
    external_id: str | None = None  # a chat or social conversation id


@dataclass(frozen=True)
class Contact:
    channel: str
    identity: ContactIdentity
    body: str
    subject: str = ""
    html: str | None = None
    message_id: str | None = None
    thread: ThreadRef = ThreadRef()


# ---------------------------------------------------------------- creating and contacting


async def open_ticket(
    *,
    customer_id: int,
    channel: str,
    subject: str,
    now: datetime,
    actor: Actor = CUSTOMER,
    priority: str = "normal",
    external_id: str | None = None,
    follow_up_of: int | None = None,
    quiet: bool = False,
    opening_message: bool = False,
) -> dict[str, Any]:
    """Creates a ticket for a customer (its facts row too); returns the new row, as it was
    inserted, so callers need not read it again. `opening_message`: the caller adds the
    customer's message that opens it next, with _add_inbound(opening=True)."""
    check_choice(channel, CHANNELS, "channel")
    check_choice(priority, PRIORITIES, "priority")
    ticket: dict[str, Any] = {
        "subject": subject.strip()[:300] or "(no subject)",
        "status": "new",
        "priority": priority,
        "channel": channel,
        "customer": customer_id,
        "assignee": None,
        "team": None,
        "external_id": external_id,
        "follow_up_of": follow_up_of,
        "created_at": now,
        "updated_at": now,
    }
    # need_id: in the importer's batch too, as the facts row and events name it.
    ticket_id = await writes.insert(Ticket, ticket, need_id=True)
    writes.remember(Ticket, ticket_id, ticket)
    await facts.ticket_created(
        ticket_id=ticket_id,
        customer_id=customer_id,
        channel=channel,
        at=now,
        priority=priority,
        opening_message=opening_message,
    )
    await log_change(ticket_id, actor, "created", None, channel, now)
    if follow_up_of:
        await log_change(ticket_id, actor, "follow_up_of", None, follow_up_of, now)
    await emit("ticket.created", ticket_id, now, quiet, channel=channel, customer_id=customer_id)
    return ticket


async def _thread_ticket(thread: ThreadRef, customer_id: int) -> dict[str, Any] | None:
    """The ticket an inbound contact continues, if it names one of this customer's."""
    ticket: dict[str, Any] | None = None
    if thread.ticket_id is not None:
        ticket = await fetch_one(queries.TICKET_BY_ID, thread.ticket_id)
        if not ticket:
            raise NotFound(f"ticket {thread.ticket_id} does not exist", field="thread.ticket_id")
    elif thread.in_reply_to:
        found = await fetch_one(queries.TICKET_OF_MESSAGE, thread.in_reply_to.strip())
        if found:
            ticket = await fetch_one(queries.TICKET_BY_ID, found["ticket"])
    elif thread.external_id:
        ticket = await fetch_one(queries.TICKET_BY_EXTERNAL_ID, thread.external_id)
    if ticket and ticket["customer"] != customer_id:
        raise Conflict("the referenced ticket belongs to another customer", field="thread")
    return ticket


async def receive_contact(*, contact: Contact, now: datetime | None = None) -> tuple[int, int]:
    """An inbound contact from any channel: identify the customer, thread it into the ticket
    it continues (reopening a solved one, following up a closed one) or open a new ticket.
    Returns (ticket id, interaction id)."""
    ticket, interaction, _ = await _receive(contact, now or utcnow())
    return int(ticket["id"]), int(interaction["id"])


async def _receive(
    contact: Contact, now: datetime
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """receive_contact's work: returns the ticket's and the interaction's rows as written,
    and the ticket as a summary row (as list_tickets returns it) when the rows at hand
    tell all it shows (a ticket this contact opened, of a sender whose name and first
    email the identification told), else None."""
    check_choice(contact.channel, CHANNELS, "channel")
    if not contact.body.strip() and not contact.html:
        raise Invalid("the contact has no body", field="body")
    async with write_transaction():
        sender = await customers.identify_sender(identity=contact.identity, now=now)
        ticket = await _thread_ticket(contact.thread, sender.id)
        opened = ticket is None or ticket["status"] == "closed"
        if opened:
            ticket = await open_ticket(
                customer_id=sender.id,
                channel=contact.channel,
                subject=contact.subject or (ticket["subject"] if ticket else contact.body[:80]),
                external_id=None if ticket else contact.thread.external_id,
                follow_up_of=ticket["id"] if ticket else None,
                now=now,
                opening_message=True,
            )
        assert ticket is not None
        interaction = await _add_inbound(
            ticket=ticket,
            channel=contact.channel,
            body=contact.body,
            html=contact.html,
            message_id=contact.message_id,
            now=now,
            # The message that opens a ticket raises no message.received of its own: the
            # ticket.created event stands for it (spec/automation-rules.md, Events).
            quiet=opened,
            opening=opened,
        )
        summary = None
        if opened and sender.name is not None:
            summary = ticket | {
                "customer_name": sender.name,
                "customer_email": sender.email,
                "assignee_name": None,
                "assignee_email": None,
                "tags": [],
            }
        return ticket, interaction, summary


async def add_inbound_message(
    *,
    ticket_id: int,
    channel: str,
    body: str,
    now: datetime,
    html: str | None = None,
    message_id: str | None = None,
    quiet: bool = False,
    ticket: dict[str, Any] | None = None,
    kind: str = "message",
) -> int:
    """A message from the customer. On a solved ticket it reopens it; on a pending or
    on-hold ticket the ball is back with the agents (open). Closed tickets take none.

    `ticket`: the ticket's row, when the caller read or created it in this transaction
    (it is then not read again, and its status is updated in place)."""
    check_choice(channel, CHANNELS, "channel")
    if ticket is None:
        ticket = await load_ticket(ticket_id)
    assert ticket["id"] == ticket_id, "the ticket row passed is not the ticket's"
    interaction = await _add_inbound(
        ticket=ticket,
        channel=channel,
        body=body,
        html=html,
        message_id=message_id,
        now=now,
        quiet=quiet,
        kind=kind,
    )
    return int(interaction.get("id", 0))


async def _add_inbound(
    *,
    ticket: dict[str, Any],
    channel: str,
    body: str,
    html: str | None,
    message_id: str | None,
    now: datetime,
    quiet: bool,
    kind: str = "message",
    opening: bool = False,
) -> dict[str, Any]:
    """add_inbound_message's work; returns the interaction's row. `opening`: the message
    that opened the ticket in this change."""
    ticket_id = int(ticket["id"])
    check_choice(channel, CHANNELS, "channel")
    if ticket["status"] == "closed":
        raise Conflict("a closed ticket takes no messages; a new contact opens a follow-up ticket")
    next_status = status_after_inbound(ticket["status"])
    interaction = await insert_interaction(
        ticket=ticket,
        direction="inbound",
        channel=channel,
        public=True,
        author_kind="customer",
        agent_id=None,
        body=body,
        html=sanitize_html(html),
        message_id=message_id,
        now=now,
        touch=next_status is None,
        kind=kind,
    )
    await facts.inbound_message(ticket_id=ticket_id, at=now, opening=opening)
    if next_status:
        await change_status(ticket, next_status, CUSTOMER, now, quiet)
    await emit(
        "message.received",
        ticket_id,
        now,
        quiet,
        interaction_id=interaction.get("id", 0),
        channel=channel,
    )
    return interaction


@dataclass(frozen=True)
class Received:
    """What an inbound contact made, as the API answers it: the ticket as a summary row
    (as list_tickets returns it), the interaction (as interactions_of returns it), and
    whether a retried request was answered with the first one's result."""

    ticket: dict[str, Any]
    interaction: dict[str, Any]
    replayed: bool


async def receive_contact_once(
    *, key: str | None, contact: Contact, now: datetime | None = None
) -> tuple[int, int, bool]:
    """receive_contact honoring an idempotency key: a retried request gets the first result
    and creates nothing, also when the retries race (the key is unique in the database).
    Returns (ticket id, interaction id, replayed)."""
    ticket_id, interaction_id, _, replayed = await _receive_once(key, contact, now or utcnow())
    return ticket_id, interaction_id, replayed


async def receive_contact_answered(
    *, key: str | None, contact: Contact, now: datetime | None = None
) -> Received:
    """receive_contact_once with the rows the API answers. They come from the rows the
    contact just wrote where those tell all (a new ticket: the usual case), else they are
    read once the change has committed."""
    ticket_id, interaction_id, rows, replayed = await _receive_once(key, contact, now or utcnow())
    if rows is not None:
        return Received(ticket=rows[0], interaction=rows[1], replayed=replayed)
    return Received(
        ticket=await ticket_summary_row(ticket_id),
        interaction=await get_interaction(interaction_id=interaction_id),
        replayed=replayed,
    )


async def _receive_once(
    key: str | None, contact: Contact, now: datetime
) -> tuple[int, int, tuple[dict[str, Any], dict[str, Any]] | None, bool]:
    """(ticket id, interaction id, the summary and interaction rows when known, replayed)."""
    for _attempt in range(3):
        try:
            async with write_transaction():
                if key:
                    await writes.insert(IdempotencyKey, {"key": key, "created_at": now})
                ticket, interaction, summary = await _receive(contact, now)
                ticket_id, interaction_id = int(ticket["id"]), int(interaction["id"])
                if key:
                    response = {"ticket_id": ticket_id, "interaction_id": interaction_id}
                    await writes.update(
                        IdempotencyKey, {"key": key}, {"response": json.dumps(response)}, key="key"
                    )
            # The customer wrote it: no agent's name to look up.
            rows = None if summary is None else (summary, interaction | {"author_name": None})
            return ticket_id, interaction_id, rows, False
        except UNIQUE_VIOLATIONS:
            # Either the key was used by a request that committed first, or two contacts
            # from a new customer raced on the identity: both resolve on the next try.
            if key:
                stored = (
                    await IdempotencyKey.select(IdempotencyKey.response)
                    .where(IdempotencyKey.key == key)
                    .output(load_json=True)
                    .first()
                )
                if stored and stored["response"]:
                    response = stored["response"]
                    ticket_id = int(response["ticket_id"])
                    return ticket_id, int(response["interaction_id"]), None, True
    raise Conflict("the contact conflicted with concurrent changes; retry the request")
