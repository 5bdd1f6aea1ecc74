"""Tickets: inbound contacts, replies and notes, the status machine, assignment, tags, audit.

Every rule about a ticket lives here (reopen on inbound, follow-up ticket on a closed one,
auto-assign on solve); the API, the importer, the CLI and automation all call these functions.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import asyncpg
import nh3
from piccolo.querystring import QueryString

from servicedesk import writes
from servicedesk.accounts.tables import Agent, Team
from servicedesk.actors import CUSTOMER, Actor
from servicedesk.clock import utcnow
from servicedesk.customers import service as customers
from servicedesk.customers.service import ContactIdentity
from servicedesk.customers.tables import CustomerIdentity
from servicedesk.cx import facts, surveys
from servicedesk.db import (
    Compiled,
    Sql,
    fetch,
    fetch_one,
    is_sqlite,
    matches_text,
    write_transaction,
)
from servicedesk.errors import Conflict, Invalid, NotFound
from servicedesk.outbox import service as outbox
from servicedesk.settings import get_settings

from .tables import IdempotencyKey, Interaction, Ticket, TicketEvent, TicketTag

UNIQUE_VIOLATIONS = (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError)
CHANNELS = ("email", "web", "chat", "phone", "social", "in_person", "api")
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
WORKING = ("new", "open", "pending", "on_hold")
# From each status, where a ticket may go. Closed is terminal: a new contact about a
# closed ticket opens a follow-up ticket instead.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("open", "pending", "on_hold", "solved"),
    "open": ("pending", "on_hold", "solved"),
    "pending": ("open", "on_hold", "solved"),
    "on_hold": ("open", "pending", "solved"),
    "solved": ("new", "open", "pending", "on_hold", "closed"),
    "closed": (),
}


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


def sanitize_html(html: str | None) -> str | None:
    """Customer HTML is kept only after nh3 strips scripts, handlers and unsafe URLs."""
    return None if html is None else nh3.clean(html)


def status_after_inbound(status: str) -> str | None:
    """A customer message hands the ticket back to the agents: a solved ticket is reopened,
    a pending or on-hold one is open again. None: the status stays."""
    return "open" if status in ("solved", "pending", "on_hold") else None


def status_after_public_reply(status: str) -> str | None:
    """An agent's first public answer starts the work on a new ticket."""
    return "open" if status == "new" else None


def _check_choice(value: str, choices: tuple[str, ...], field: str) -> None:
    if value not in choices:
        raise Invalid(f"{field} must be one of {', '.join(choices)}; got {value!r}", field=field)


# The statements of an inbound contact, as fixed SQL text (db.Sql): built once instead of
# by Piccolo's query builder on every request.
_INSERT_EVENT = Sql(
    'INSERT INTO "ticket_event" ("ticket", "actor_kind", "actor_agent", "actor_label", "field",'
    ' "old_value", "new_value", "created_at") VALUES ({}, {}, {}, {}, {}, {}, {}, {})'
)
_INSERT_TICKET = Sql(
    'INSERT INTO "ticket" ("subject", "status", "priority", "channel", "customer", "assignee",'
    ' "team", "external_id", "follow_up_of", "created_at", "updated_at", "solved_at",'
    " \"imported_events\") VALUES ({}, 'new', {}, {}, {}, NULL, NULL, {}, {}, {}, {}, NULL, 0)"
    ' RETURNING "id"'
)
_INSERT_INTERACTION = Sql(
    'INSERT INTO "interaction" ("ticket", "customer", "direction", "channel", "public",'
    ' "author_kind", "author_agent", "body_text", "body_html", "message_id", "created_at")'
    ' VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}) RETURNING "id"'
)
_TOUCH_TICKET = Sql('UPDATE "ticket" SET "updated_at" = {} WHERE "ticket"."id" = {}')
_TICKET_BY_ID = Sql('SELECT * FROM "ticket" WHERE "ticket"."id" = {}')
_TICKET_BY_EXTERNAL_ID = Sql('SELECT * FROM "ticket" WHERE "ticket"."external_id" = {}')
_TICKET_OF_MESSAGE = Sql(
    'SELECT "interaction"."ticket" FROM "interaction" WHERE "interaction"."message_id" = {} LIMIT 1'
)
_INSERT_IDEMPOTENCY_KEY = Sql(
    'INSERT INTO "idempotency_key" ("key", "response", "created_at") VALUES ({}, {}, {})'
)
_SET_IDEMPOTENT_RESPONSE = Sql(
    'UPDATE "idempotency_key" SET "response" = {} WHERE "idempotency_key"."key" = {}'
)


async def _log(ticket_id: int, actor: Actor, field: str, old: Any, new: Any, now: datetime) -> None:
    # In the order of _INSERT_EVENT's columns.
    row = {
        "ticket": ticket_id,
        "actor_kind": actor.kind,
        "actor_agent": actor.agent_id,
        "actor_label": actor.label,
        "field": field,
        "old_value": None if old is None else str(old),
        "new_value": None if new is None else str(new),
        "created_at": now,
    }
    await writes.insert_row(TicketEvent, row, _INSERT_EVENT, *row.values())


async def _ticket(ticket_id: int) -> dict[str, Any]:
    """The ticket's row (read once per unit of work, when there is one)."""

    async def load() -> dict[str, Any]:
        row = await Ticket.select().where(Ticket.id == ticket_id).first()
        if not row:
            raise NotFound(f"ticket {ticket_id} does not exist", field="ticket_id")
        return row

    row: dict[str, Any] = await writes.get(Ticket, ticket_id, load)
    return row


async def _emit(topic: str, ticket_id: int, now: datetime, quiet: bool, **payload: Any) -> None:
    if not quiet:
        await writes.flush()  # the event names rows that a unit of work may still hold
        await outbox.emit_event(
            topic=topic, payload={"ticket_id": ticket_id, **payload}, ticket_id=ticket_id, now=now
        )


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
) -> dict[str, Any]:
    """Creates a ticket for a customer (its facts row too); returns the new row, as it was
    inserted, so callers need not read it again."""
    _check_choice(channel, CHANNELS, "channel")
    _check_choice(priority, PRIORITIES, "priority")
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
        "solved_at": None,
        "imported_events": 0,
    }
    ticket_id = await writes.insert_row(
        Ticket,
        ticket,
        _INSERT_TICKET,
        ticket["subject"],
        priority,
        channel,
        customer_id,
        external_id,
        follow_up_of,
        now,
        now,
        need_id=True,  # in the importer's batch too: the facts row and events name it
    )
    writes.remember(Ticket, ticket_id, ticket)
    await facts.ticket_created(
        ticket_id=ticket_id, customer_id=customer_id, channel=channel, at=now
    )
    await _log(ticket_id, actor, "created", None, channel, now)
    if follow_up_of:
        await _log(ticket_id, actor, "follow_up_of", None, follow_up_of, now)
    await _emit("ticket.created", ticket_id, now, quiet, channel=channel, customer_id=customer_id)
    return ticket


async def _thread_ticket(thread: ThreadRef, customer_id: int) -> dict[str, Any] | None:
    """The ticket an inbound contact continues, if it names one of this customer's."""
    ticket: dict[str, Any] | None = None
    if thread.ticket_id is not None:
        ticket = await fetch_one(_TICKET_BY_ID, thread.ticket_id)
        if not ticket:
            raise NotFound(f"ticket {thread.ticket_id} does not exist", field="thread.ticket_id")
    elif thread.in_reply_to:
        found = await fetch_one(_TICKET_OF_MESSAGE, thread.in_reply_to.strip())
        if found:
            ticket = await fetch_one(_TICKET_BY_ID, found["ticket"])
    elif thread.external_id:
        ticket = await fetch_one(_TICKET_BY_EXTERNAL_ID, thread.external_id)
    if ticket and ticket["customer"] != customer_id:
        raise Conflict("the referenced ticket belongs to another customer", field="thread")
    return ticket


async def receive_contact(*, contact: Contact, now: datetime | None = None) -> tuple[int, int]:
    """An inbound contact from any channel: identify the customer, thread it into the ticket
    it continues (reopening a solved one, following up a closed one) or open a new ticket.
    Returns (ticket id, interaction id)."""
    now = now or utcnow()
    _check_choice(contact.channel, CHANNELS, "channel")
    if not contact.body.strip() and not contact.html:
        raise Invalid("the contact has no body", field="body")
    async with write_transaction():
        customer_id = await customers.find_or_create_customer(identity=contact.identity, now=now)
        ticket = await _thread_ticket(contact.thread, customer_id)
        opens_ticket = ticket is None or ticket["status"] == "closed"
        if opens_ticket:
            ticket = await open_ticket(
                customer_id=customer_id,
                channel=contact.channel,
                subject=contact.subject or (ticket["subject"] if ticket else contact.body[:80]),
                external_id=None if ticket else contact.thread.external_id,
                follow_up_of=ticket["id"] if ticket else None,
                now=now,
            )
        assert ticket is not None
        ticket_id = int(ticket["id"])
        interaction_id = await add_inbound_message(
            ticket_id=ticket_id,
            ticket=ticket,
            channel=contact.channel,
            body=contact.body,
            html=contact.html,
            message_id=contact.message_id,
            now=now,
            # The message that opens a ticket raises no message.received of its own: the
            # ticket.created event stands for it (spec/automation-rules.md, Events).
            quiet=opens_ticket,
        )
        return ticket_id, interaction_id


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
) -> int:
    """A message from the customer. On a solved ticket it reopens it; on a pending or
    on-hold ticket the ball is back with the agents (open). Closed tickets take none.

    `ticket`: the ticket's row, when the caller read or created it in this transaction
    (it is then not read again, and its status is updated in place)."""
    _check_choice(channel, CHANNELS, "channel")
    if ticket is None:
        ticket = await _ticket(ticket_id)
    assert ticket["id"] == ticket_id, "the ticket row passed is not the ticket's"
    if ticket["status"] == "closed":
        raise Conflict("a closed ticket takes no messages; a new contact opens a follow-up ticket")
    next_status = status_after_inbound(ticket["status"])
    interaction_id = await _insert_interaction(
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
    )
    await facts.inbound_message(ticket_id=ticket_id)
    if next_status:
        await _change_status(ticket, next_status, CUSTOMER, now, quiet)
    await _emit(
        "message.received", ticket_id, now, quiet, interaction_id=interaction_id, channel=channel
    )
    return interaction_id


async def _insert_interaction(
    *,
    ticket: dict[str, Any],
    direction: str,
    channel: str,
    public: bool,
    author_kind: str,
    agent_id: int | None,
    body: str,
    html: str | None,
    message_id: str | None,
    now: datetime,
    touch: bool,
) -> int:
    """Inserts an interaction; returns its id (0 in a unit of work: see writes.insert).
    `touch`: also set the ticket's updated_at to `now`; False when the caller changes the
    status right after (that UPDATE sets updated_at too)."""
    # In the order of _INSERT_INTERACTION's columns.
    row = {
        "ticket": ticket["id"],
        "customer": ticket["customer"],
        "direction": direction,
        "channel": channel,
        "public": public,
        "author_kind": author_kind,
        "author_agent": agent_id,
        "body_text": body,
        "body_html": html,
        "message_id": message_id,
        "created_at": now,
    }
    interaction_id = await writes.insert_row(Interaction, row, _INSERT_INTERACTION, *row.values())
    if touch and ticket["updated_at"] != now:  # a ticket created by this change has it
        if writes.current() is None:
            await fetch(_TOUCH_TICKET, now, ticket["id"])
            ticket["updated_at"] = now
        else:
            await writes.update(Ticket, ticket, {"updated_at": now})
    return interaction_id


async def add_agent_message(
    *,
    ticket_id: int,
    actor: Actor,
    body: str,
    public: bool,
    now: datetime | None = None,
    channel: str | None = None,
    quiet: bool = False,
) -> int:
    """A public reply or an internal note by an agent. A public reply on an email ticket is
    emailed to the customer through the outbox, threaded under their messages."""
    now = now or utcnow()
    if not body.strip():
        raise Invalid("the message is empty", field="body")
    async with write_transaction():
        ticket = await _ticket(ticket_id)
        if ticket["status"] == "closed":
            raise Conflict("a closed ticket cannot be changed")
        channel = channel or ticket["channel"]
        _check_choice(channel, CHANNELS, "channel")
        message_id = _new_message_id(ticket_id) if public and channel == "email" else None
        next_status = status_after_public_reply(ticket["status"]) if public else None
        interaction_id = await _insert_interaction(
            ticket=ticket,
            direction="outbound",
            channel=channel,
            public=public,
            author_kind="agent",
            agent_id=actor.agent_id,
            body=body,
            html=None,
            message_id=message_id,
            now=now,
            touch=next_status is None,
        )
        if public:
            await facts.public_reply(ticket_id=ticket_id, team_id=ticket["team"], at=now)
            if next_status:
                await _change_status(ticket, next_status, actor, now, quiet)
            if message_id and not quiet:
                await _email_reply(ticket, body, message_id, now)
            await _emit("reply.sent", ticket_id, now, quiet, interaction_id=interaction_id)
        else:
            await _emit("note.added", ticket_id, now, quiet, interaction_id=interaction_id)
        return interaction_id


def _new_message_id(ticket_id: int) -> str:
    """A Message-ID on our own host, so customers' replies can be threaded back to it."""
    host = urlparse(get_settings().base_url).hostname or "servicedesk.local"
    return f"<ticket-{ticket_id}-{secrets.token_hex(8)}@{host}>"


async def _email_reply(ticket: dict[str, Any], body: str, message_id: str, now: datetime) -> None:
    address = (
        await CustomerIdentity.select(CustomerIdentity.value)
        .where(CustomerIdentity.customer == ticket["customer"], CustomerIdentity.kind == "email")
        .first()
    )
    if not address:
        raise Conflict("the customer has no email address to reply to", field="public")
    earlier = (
        await Interaction.select(Interaction.message_id)
        .where(
            Interaction.ticket == ticket["id"],
            Interaction.message_id.is_not_null(),
            Interaction.message_id != message_id,
        )
        .order_by(Interaction.id)
    )
    references = [row["message_id"] for row in earlier]
    subject = ticket["subject"]
    reply = outbox.Email(
        to=address["value"],
        subject=f"[#{ticket['id']}] Re: {subject}",
        body=body,
        ticket_id=ticket["id"],
        message_id=message_id,
        in_reply_to=references[-1] if references else "",
        references=" ".join(references),
    )
    await outbox.queue_emails([reply], now=now)


# ---------------------------------------------------------------- status machine


def check_transition(old: str, new: str) -> None:
    """Refuses a status change the machine does not allow, saying why."""
    _check_choice(new, STATUSES, "status")
    if new in TRANSITIONS[old]:
        return
    if old == "closed":
        raise Conflict(
            "the ticket is closed; closed tickets cannot change (a new contact opens a follow-up)"
        )
    if new == "closed":
        raise Conflict(f"only solved tickets can be closed; this one is {old}")
    if new == "new":
        raise Conflict("only a solved ticket can be reopened as new")
    raise Conflict(f"a ticket cannot go from {old} to {new}")


async def _change_status(
    ticket: dict[str, Any], new: str, actor: Actor, now: datetime, quiet: bool
) -> None:
    old = ticket["status"]
    check_transition(old, new)
    changes: dict[str, Any] = {"status": new, "updated_at": now}
    if new == "solved":
        assignee = ticket["assignee"]
        if assignee is None:
            if actor.agent_id is None:
                raise Conflict(
                    "an unassigned ticket can only be solved by an agent", field="status"
                )
            assignee = actor.agent_id
            changes["assignee"] = assignee
            await _log(ticket["id"], actor, "assignee", None, assignee, now)
        changes["solved_at"] = now
        await facts.solved(
            ticket_id=ticket["id"], agent_id=assignee, team_id=ticket["team"], at=now
        )
    else:
        await facts.status_changed(ticket_id=ticket["id"], old=old, new=new)
    await writes.update(Ticket, ticket, changes)
    await _log(ticket["id"], actor, "status", old, new, now)
    topic = {"solved": "ticket.solved", "closed": "ticket.closed"}.get(new)
    if old == "solved" and new != "closed":
        topic = "ticket.reopened"
    await _emit(topic or "ticket.status_changed", ticket["id"], now, quiet, old=old, new=new)
    if new == "solved" and not quiet:
        await surveys.schedule_csat(ticket_id=ticket["id"], now=now)


# The fields a `ticket.updated` event reports the changes of.
UPDATED_FIELDS = ("status", "priority", "assignee", "team", "subject")


async def _emit_updated(
    ticket: dict[str, Any],
    before: dict[str, Any],
    tags_before: list[str] | None,
    now: datetime,
    quiet: bool,
) -> None:
    """One `ticket.updated` event for a change by an agent, a rule or the system, with
    each changed field's [old, new] (tags as lists), for rules on `event.changes`."""
    if quiet:
        return
    changes: dict[str, Any] = {
        name: [before[name], ticket[name]]
        for name in UPDATED_FIELDS
        if ticket[name] != before[name]
    }
    if tags_before is not None:
        tags_after = await _tags(ticket["id"])
        if tags_after != tags_before:
            changes["tags"] = [tags_before, tags_after]
    if changes:
        await _emit("ticket.updated", ticket["id"], now, quiet, changes=changes)


async def set_status(
    *, ticket_id: int, status: str, actor: Actor, now: datetime | None = None, quiet: bool = False
) -> None:
    now = now or utcnow()
    async with write_transaction():
        ticket = await _ticket(ticket_id)
        if ticket["status"] != status:
            before = {name: ticket[name] for name in UPDATED_FIELDS}
            await _change_status(ticket, status, actor, now, quiet)
            await _emit_updated(ticket, before, None, now, quiet)


async def close_solved_tickets(*, now: datetime | None = None, older_than_days: int) -> int:
    """Closes tickets solved more than N days ago (the periodic auto-close)."""
    now = now or utcnow()
    rows = await Ticket.select(Ticket.id).where(
        Ticket.status == "solved", Ticket.solved_at < now - timedelta(days=older_than_days)
    )
    for row in rows:
        await set_status(
            ticket_id=row["id"], status="closed", actor=Actor("system", label="auto-close"), now=now
        )
    return len(rows)


# ---------------------------------------------------------------- other fields


async def update_ticket(
    *,
    ticket_id: int,
    changes: dict[str, Any],
    actor: Actor,
    now: datetime | None = None,
    quiet: bool = False,
) -> None:
    """Applies several field changes as one change: assignee and team first, so that a
    ticket assigned and solved in one request is solved by its new assignee."""
    now = now or utcnow()
    async with write_transaction():
        ticket = await _ticket(ticket_id)
        if ticket["status"] == "closed" and changes:
            raise Conflict("the ticket is closed; closed tickets cannot change")
        before = {name: ticket[name] for name in UPDATED_FIELDS}
        tags_before = (
            list(await _tags(ticket_id))
            if not quiet and {"tags", "add_tags", "remove_tags"} & set(changes)
            else None
        )
        if "assignee_id" in changes:
            await _assign(ticket, changes["assignee_id"], actor, now, quiet)
        if "team_id" in changes:
            await _check_team(changes["team_id"])
            await _set_field(ticket, "team", changes["team_id"], actor, now)
        if "priority" in changes:
            _check_choice(changes["priority"], PRIORITIES, "priority")
            await _set_field(ticket, "priority", changes["priority"], actor, now)
        if "subject" in changes:
            await _set_field(ticket, "subject", changes["subject"], actor, now)
        if "tags" in changes:
            await _set_tags(ticket, changes["tags"], actor, now)
        if "add_tags" in changes or "remove_tags" in changes:
            current = await _tags(ticket_id)
            wanted = [t for t in current if t not in changes.get("remove_tags", [])]
            wanted += [t for t in changes.get("add_tags", []) if t not in wanted]
            await _set_tags(ticket, wanted, actor, now)
        if "status" in changes and changes["status"] != ticket["status"]:
            await _change_status(ticket, changes["status"], actor, now, quiet)
        await _emit_updated(ticket, before, tags_before, now, quiet)


async def _check_team(team_id: int | None) -> None:
    if team_id is not None and not await Team.exists().where(Team.id == team_id):
        raise NotFound(f"team {team_id} does not exist", field="team_id")


async def _set_field(
    ticket: dict[str, Any], field: str, value: Any, actor: Actor, now: datetime
) -> None:
    old = ticket[field]
    if old == value:
        return
    await writes.update(Ticket, ticket, {field: value, "updated_at": now})
    await _log(ticket["id"], actor, field, old, value, now)


async def _assign(
    ticket: dict[str, Any], agent_id: int | None, actor: Actor, now: datetime, quiet: bool
) -> None:
    if agent_id is not None:
        agent = await writes.get(
            Agent, agent_id, Agent.select(Agent.active).where(Agent.id == agent_id).first
        )
        if not agent:
            raise NotFound(f"agent {agent_id} does not exist", field="assignee_id")
        if not agent["active"]:
            raise Invalid(f"agent {agent_id} is deactivated", field="assignee_id")
    if ticket["assignee"] != agent_id:
        await _set_field(ticket, "assignee", agent_id, actor, now)
        await _emit("ticket.assigned", ticket["id"], now, quiet, assignee_id=agent_id)


async def assign(
    *,
    ticket_id: int,
    agent_id: int | None,
    actor: Actor,
    now: datetime | None = None,
    quiet: bool = False,
) -> None:
    await update_ticket(
        ticket_id=ticket_id, changes={"assignee_id": agent_id}, actor=actor, now=now, quiet=quiet
    )


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = tag.strip().lower()
        if not tag or len(tag) > 100:
            raise Invalid("tags are 1 to 100 characters", field="tags")
        if tag not in cleaned:
            cleaned.append(tag)
    return cleaned


async def tags_of(ticket_id: int) -> list[str]:
    rows = (
        await TicketTag.select(TicketTag.tag)
        .where(TicketTag.ticket == ticket_id)
        .order_by(TicketTag.id)
    )
    return [row["tag"] for row in rows]


async def _tags(ticket_id: int) -> list[str]:
    """tags_of, read once per unit of work."""
    tags: list[str] = await writes.get(TicketTag, ticket_id, lambda: tags_of(ticket_id))
    return tags


async def _set_tags(ticket: dict[str, Any], tags: list[str], actor: Actor, now: datetime) -> None:
    wanted = _clean_tags(tags)
    current = await _tags(ticket["id"])
    if wanted == current:
        return
    rows = [{"ticket": ticket["id"], "tag": tag} for tag in wanted]
    await writes.replace(TicketTag, "ticket", ticket["id"], rows)
    writes.remember(TicketTag, ticket["id"], wanted)
    await writes.update(Ticket, ticket, {"updated_at": now})
    await _log(ticket["id"], actor, "tags", ",".join(current), ",".join(wanted), now)


# ---------------------------------------------------------------- reading


async def get_ticket(*, ticket_id: int) -> dict[str, Any]:
    ticket = await _ticket(ticket_id)
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


_INTERACTION_BY_ID = Compiled(
    lambda interaction_id: (
        Interaction.select(
            *Interaction.all_columns(), Interaction.author_agent.name.as_alias("author_name")
        )
        .where(Interaction.id == interaction_id)
        .limit(1)
    ),
    arity=1,
)


async def get_interaction(*, interaction_id: int) -> dict[str, Any]:
    """One interaction, as interactions_of returns them."""
    rows = await _INTERACTION_BY_ID.fetch(interaction_id)
    row = rows[0] if rows else None
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


# The customer's first email and the ticket's tags, as columns of the summary query.
_CUSTOMER_EMAIL = (
    '(SELECT ci."value" FROM "customer_identity" AS ci WHERE ci."customer" = "ticket"."customer"'
    ' AND ci."kind" = \'email\' ORDER BY ci."id" LIMIT 1)'
)
_TAGS_POSTGRES = (
    '(SELECT COALESCE(json_agg(tt."tag" ORDER BY tt."id"), \'[]\') FROM "ticket_tag" AS tt'
    ' WHERE tt."ticket" = "ticket"."id")'
)
# SQLite < 3.44 has no ORDER BY inside an aggregate; it aggregates an ordered subquery in
# order (an aggregate over a subquery with ORDER BY is never flattened).
_TAGS_SQLITE = (
    '(SELECT json_group_array(o."tag") FROM (SELECT tt."tag" FROM "ticket_tag" AS tt'
    ' WHERE tt."ticket" = "ticket"."id" ORDER BY tt."id") AS o)'
)


def _summary_query() -> Any:
    """Tickets with what a summary shows (customer and assignee names, the customer's first
    email, the tags), in one query."""
    return Ticket.select(
        *Ticket.all_columns(),
        Ticket.customer.name.as_alias("customer_name"),
        Ticket.assignee.name.as_alias("assignee_name"),
        Ticket.assignee.email.as_alias("assignee_email"),
        QueryString(_CUSTOMER_EMAIL).as_alias("customer_email"),
        QueryString(_TAGS_SQLITE if is_sqlite() else _TAGS_POSTGRES).as_alias("tags"),
    )


def _summary_row(row: dict[str, Any]) -> dict[str, Any]:
    tags = row["tags"]
    row["tags"] = json.loads(tags) if isinstance(tags, str) else list(tags or [])
    return row


_SUMMARY_BY_ID = Compiled(
    lambda ticket_id: _summary_query().where(Ticket.id == ticket_id).limit(1), arity=1
)


async def ticket_summary_row(ticket_id: int) -> dict[str, Any]:
    """One ticket as list_tickets returns it."""
    rows = await _SUMMARY_BY_ID.fetch(ticket_id)
    row = rows[0] if rows else None
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


async def receive_contact_once(
    *, key: str | None, contact: Contact, now: datetime | None = None
) -> tuple[int, int, bool]:
    """receive_contact honoring an idempotency key: a retried request gets the first result
    and creates nothing, also when the retries race (the key is unique in the database).
    Returns (ticket id, interaction id, replayed)."""
    now = now or utcnow()
    for _attempt in range(3):
        try:
            async with write_transaction():
                if key:
                    await fetch(_INSERT_IDEMPOTENCY_KEY, key, "{}", now)
                ticket_id, interaction_id = await receive_contact(contact=contact, now=now)
                if key:
                    response = {"ticket_id": ticket_id, "interaction_id": interaction_id}
                    await fetch(_SET_IDEMPOTENT_RESPONSE, json.dumps(response), key)
                return ticket_id, interaction_id, False
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
                    return int(response["ticket_id"]), int(response["interaction_id"]), True
    raise Conflict("the contact conflicted with concurrent changes; retry the request")
