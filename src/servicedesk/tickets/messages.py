"""Messages on a ticket: inserting an interaction, and agents' replies and notes (a public
reply on an email ticket is emailed to the customer, threaded under their messages; on a
chat or social ticket it is posted to the conversation's integration)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from servicedesk import writes
from servicedesk.actors import Actor
from servicedesk.channels import replies as channel_replies
from servicedesk.clock import utcnow
from servicedesk.customers.tables import CustomerIdentity
from servicedesk.cx import facts
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, Invalid
from servicedesk.outbox import service as outbox
from servicedesk.settings import get_settings

from .changes import change_status, emit
from .reads import load_ticket
from .rules import CHANNELS, check_choice, status_after_public_reply
from .tables import Interaction, Ticket


async def insert_interaction(
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
    kind: str = "message",
) -> dict[str, Any]:
    """Inserts an interaction; returns its row, with its id (0 in a unit of work: see
    writes.insert).
    `touch`: also set the ticket's updated_at to `now`; False when the caller changes the
    status right after (that UPDATE sets updated_at too)."""
    row = {
        "ticket": ticket["id"],
        "customer": ticket["customer"],
        "direction": direction,
        "channel": channel,
        "kind": kind,
        "public": public,
        "author_kind": author_kind,
        "author_agent": agent_id,
        "body_text": body,
        "body_html": html,
        "message_id": message_id,
        "created_at": now,
    }
    await writes.insert(Interaction, row)
    if touch and ticket["updated_at"] != now:  # a ticket created by this change has it
        await writes.update(Ticket, ticket, {"updated_at": now})
    return row


async def add_agent_message(
    *,
    ticket_id: int,
    actor: Actor,
    body: str,
    public: bool,
    now: datetime | None = None,
    channel: str | None = None,
    quiet: bool = False,
    kind: str = "message",
) -> int:
    """A public reply or an internal note by an agent. A public reply on an email ticket is
    emailed to the customer through the outbox, threaded under their messages. `kind`
    "call": an agent's phone call (public when it reached the customer: a reply)."""
    now = now or utcnow()
    if not body.strip():
        raise Invalid("the message is empty", field="body")
    async with write_transaction():
        ticket = await load_ticket(ticket_id)
        if ticket["status"] == "closed":
            raise Conflict("a closed ticket cannot be changed")
        channel = channel or ticket["channel"]
        check_choice(channel, CHANNELS, "channel")
        email = public and channel == "email" and kind == "message"
        message_id = _new_message_id(ticket_id) if email else None
        next_status = status_after_public_reply(ticket["status"]) if public else None
        interaction = await insert_interaction(
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
            kind=kind,
        )
        interaction_id = int(interaction.get("id", 0))
        if public:
            await facts.public_reply(ticket_id=ticket_id, team_id=ticket["team"], at=now)
            if next_status:
                await change_status(ticket, next_status, actor, now, quiet)
            if message_id and not quiet:
                await _email_reply(ticket, body, message_id, now)
            elif channel in ("chat", "social") and not quiet:
                # Back through the integration the conversation came from, if any.
                await channel_replies.queue_reply(
                    ticket=ticket, interaction_id=interaction_id, body=body, now=now
                )
            await emit("reply.sent", ticket_id, now, quiet, interaction_id=interaction_id)
        else:
            await emit("note.added", ticket_id, now, quiet, interaction_id=interaction_id)
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
