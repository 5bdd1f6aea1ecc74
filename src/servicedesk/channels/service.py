"""Email in: one function every door calls (HTTP, SMTP/LMTP, IMAP) with the raw message.

A message is parsed once (parsing.py), then in one transaction: recorded with its raw bytes
(its Message-ID unique: a second delivery is a duplicate and changes nothing), threaded
into its ticket through tickets.service.receive_contact, its attachments stored, and a
machine's message (auto-reply, list, bounce) flagged so nothing automatic answers it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from servicedesk.actors import SYSTEM
from servicedesk.clock import utcnow
from servicedesk.customers import service as customers
from servicedesk.customers.service import ContactIdentity
from servicedesk.customers.tables import CustomerIdentity
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, Invalid, NotFound
from servicedesk.settings import get_settings
from servicedesk.tickets import service as tickets

from . import parsing, queries
from .flags import AUTOMATED_TAG, UNREADABLE_TAG
from .parsing import ParsedEmail
from .storage import attachment_store, sniff_type
from .tables import Attachment, BouncingAddress, InboundEmail

log = logging.getLogger(__name__)
DOORS = ("http", "smtp", "imap")
UNREADABLE_SENDER = ContactIdentity(email="unreadable-mail@invalid", name="Unreadable email")


@dataclass(frozen=True)
class Received:
    """What became of one message. status: created | threaded | duplicate | ignored (a
    machine wrote it: recorded on its ticket, flagged) | bounce."""

    status: str
    email_id: int
    ticket_id: int | None = None
    interaction_id: int | None = None
    reason: str = ""
    warning: str = ""


async def receive_email(*, raw: bytes, door: str, now: datetime | None = None) -> Received:
    """Records one raw message and puts it on its ticket. Raises Invalid only for bytes
    that are no email at all; a message that cannot be read is kept raw on a ticket for
    an admin."""
    now = now or utcnow()
    if door not in DOORS:
        raise Invalid(f"door must be one of {', '.join(DOORS)}", field="door")
    if not raw.strip():
        raise Invalid("the message is empty", field="body")
    parsed: ParsedEmail | None
    try:
        parsed = parsing.parse(raw)
        warning = "; ".join(parsed.defects)
    except parsing.NotAnEmail as exc:
        raise Invalid(str(exc), field="body") from exc
    except Exception as exc:  # noqa: BLE001 -- never lose a message to a parser bug
        log.exception("could not parse an inbound email")
        parsed, warning = None, f"the message could not be parsed: {type(exc).__name__}: {exc}"
    message_id = parsed.message_id if parsed else parsing.synthetic_message_id(raw)
    for _attempt in range(3):
        try:
            async with write_transaction():
                known = await queries.email_by_message_id(message_id)
                if known:
                    return Received("duplicate", known["id"], known["ticket"], known["interaction"])
                email_id = await _record(raw, message_id, parsed, door, warning, now)
                if parsed is None:
                    return await _put_unreadable(email_id, warning, now)
                if parsed.bounces:
                    return await _record_bounces(email_id, parsed, now)
                try:
                    return await _put_on_ticket(email_id, parsed, warning, now)
                except (Invalid, NotFound, Conflict) as exc:
                    # A rule of the ticket service refused it (an address it does not
                    # accept, ...): kept for an admin rather than refused to the sender.
                    return await _put_unreadable(email_id, exc.detail, now)
        except tickets.UNIQUE_VIOLATIONS:
            # The same message arrived twice at once, or a new sender raced another
            # contact: the next try finds the committed row.
            continue
    raise Conflict("the message conflicted with concurrent deliveries; deliver it again")


async def _record(
    raw: bytes,
    message_id: str,
    parsed: ParsedEmail | None,
    door: str,
    warning: str,
    now: datetime,
) -> int:
    row = InboundEmail(
        message_id=message_id,
        sender=(parsed.sender or "") if parsed else "",
        subject=parsed.subject[:400] if parsed else "",
        door=door,
        status="unparsed" if parsed is None else "received",
        warning=warning,
        raw_message=raw,
        received_at=now,
    )
    inserted = await InboundEmail.insert(row)
    return int(inserted[0]["id"])


async def _update(email_id: int, **values: Any) -> None:
    await InboundEmail.update(
        {getattr(InboundEmail, name): value for name, value in values.items()}
    ).where(InboundEmail.id == email_id)


async def _thread(parsed: ParsedEmail, sender: str) -> tickets.ThreadRef:
    """The ticket a message continues: one whose messages it references, then the
    `[#123]` in its subject; only a ticket of the sender's own (anyone could type a
    number, and a colleague replying on a thread starts their own ticket)."""
    for message_id in parsed.references:
        ticket_id = await queries.ticket_of_message_id(message_id)
        if ticket_id is not None:
            if await queries.ticket_is_senders(ticket_id, sender):
                return tickets.ThreadRef(ticket_id=ticket_id)
            break
    number = parsed.ticket_number
    if number is not None and await queries.ticket_is_senders(number, sender):
        return tickets.ThreadRef(ticket_id=number)
    return tickets.ThreadRef()


async def _automated(parsed: ParsedEmail, sender: str, now: datetime) -> str | None:
    if parsed.automated:
        return parsed.automated
    limit = get_settings().mail_per_sender_per_hour
    # This message's own row is already counted.
    if await queries.count_recent_from(sender, now - timedelta(hours=1)) > limit:
        return f"over {limit} messages an hour from this sender"
    return None


async def _put_on_ticket(
    email_id: int, parsed: ParsedEmail, warning: str, now: datetime
) -> Received:
    if parsed.sender is None:
        return await _put_unreadable(email_id, warning or "the message has no From address", now)
    thread = await _thread(parsed, parsed.sender)
    automated = await _automated(parsed, parsed.sender, now)
    attachments = parsed.attachments
    body = parsed.text if parsed.text.strip() else ("(attachments only)" if attachments else "")
    contact = tickets.Contact(
        channel="email",
        identity=ContactIdentity(email=parsed.sender, name=parsed.sender_name or None),
        body=body or "(empty message)",
        subject=parsed.subject,
        html=parsed.html,
        message_id=parsed.message_id,
        thread=thread,
    )
    ticket_id, interaction_id = await tickets.receive_contact(contact=contact, now=now)
    if automated:
        await tickets.update_ticket(
            ticket_id=ticket_id,
            changes={"add_tags": [AUTOMATED_TAG]},
            actor=SYSTEM,
            now=now,
            quiet=True,
        )
    await _store_attachments(email_id, ticket_id, interaction_id, parsed)
    status = "ignored" if automated else "threaded" if thread.ticket_id == ticket_id else "created"
    await _update(
        email_id,
        status=status,
        ticket=ticket_id,
        interaction=interaction_id,
        automated=automated is not None,
        reason=(automated or "")[:60],
        fold_at=parsing.fold_at(contact.body),
    )
    return Received(status, email_id, ticket_id, interaction_id, automated or "", warning)


async def _store_attachments(
    email_id: int, ticket_id: int, interaction_id: int, parsed: ParsedEmail
) -> None:
    store = attachment_store()
    limit = get_settings().mail_attachment_max_bytes
    rows = []
    for part in parsed.attachments:
        stored = len(part.data) <= limit
        rows.append(
            Attachment(
                ticket=ticket_id,
                interaction=interaction_id,
                email=email_id,
                filename=part.filename or _default_name(part),
                content_type=sniff_type(part.data),
                size=len(part.data),
                sha256=store.put(part.data) if stored else None,
                inline=part.inline,
                content_id=part.content_id,
            )
        )
    if rows:
        await Attachment.insert(*rows)


def _default_name(part: parsing.Part) -> str:
    kind = part.declared_type.split("/")[-1][:20] or "bin"
    return f"{'inline' if part.inline else 'attachment'}.{kind}"


async def _put_unreadable(email_id: int, warning: str, now: datetime) -> Received:
    """A message we cannot read: a ticket tells an admin, who downloads the raw message."""
    contact = tickets.Contact(
        channel="email",
        identity=UNREADABLE_SENDER,
        subject="An email could not be read",
        body=(
            f"An inbound email could not be read ({warning}). The original is kept: an admin"
            f" can download it at /api/channels/email/{email_id}/raw."
        ),
    )
    ticket_id, interaction_id = await tickets.receive_contact(contact=contact, now=now)
    await tickets.update_ticket(
        ticket_id=ticket_id,
        changes={"add_tags": [UNREADABLE_TAG]},
        actor=SYSTEM,
        now=now,
        quiet=True,
    )
    await _update(email_id, status="unparsed", ticket=ticket_id, interaction=interaction_id)
    return Received("created", email_id, ticket_id, interaction_id, "unreadable", warning)


async def _record_bounces(email_id: int, parsed: ParsedEmail, now: datetime) -> Received:
    """A delivery status notification: a hard (5.x.x) bounce marks the address (and its
    customers) as bouncing; a soft one (4.x.x) is counted. Linked to the outbox email it
    answers, found by that email's Message-ID."""
    sent = None
    for bounce in parsed.bounces:
        if bounce.original_message_id and sent is None:
            sent = await queries.sent_email_by_message_id(bounce.original_message_id)
        await _mark_bouncing(bounce, sent["id"] if sent else None, now)
    await _update(
        email_id,
        status="bounce",
        automated=True,
        reason="delivery status notification",
        ticket=sent["ticket"] if sent else None,
        bounced_outbox=sent["id"] if sent else None,
    )
    return Received("bounce", email_id, sent["ticket"] if sent else None, None, "dsn")


async def _mark_bouncing(bounce: parsing.Bounce, outbox_id: int | None, now: datetime) -> None:
    address = bounce.recipient
    row = await BouncingAddress.select().where(BouncingAddress.address == address).first()
    values: dict[Any, Any] = {
        BouncingAddress.hard: bounce.hard or bool(row and row["hard"]),
        BouncingAddress.soft_bounces: (row["soft_bounces"] if row else 0) + (not bounce.hard),
        BouncingAddress.last_status: bounce.status[:20],
        BouncingAddress.last_outbox: outbox_id,
        BouncingAddress.updated_at: now,
    }
    if row:
        await BouncingAddress.update(values).where(BouncingAddress.id == row["id"])
    else:
        await BouncingAddress.insert(BouncingAddress({BouncingAddress.address: address, **values}))
    if bounce.hard:
        owners = await CustomerIdentity.select(CustomerIdentity.customer).where(
            CustomerIdentity.key == f"email:{address}"
        )
        for owner in owners:
            await customers.update_customer(
                customer_id=owner["customer"], changes={"email_bounced": True}
            )


# ---------------------------------------------------------------- reading


async def bouncing_address(*, address: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await BouncingAddress.select()
        .where(BouncingAddress.address == address.strip().lower())
        .first()
    )
    return row


async def is_automated(*, ticket_id: int) -> bool:
    """Whether a machine wrote to this ticket (auto-reply, list, bounce, a sender over its
    rate limit): automation must not email it (docs/channels.md)."""
    return await InboundEmail.exists().where(
        InboundEmail.ticket == ticket_id, InboundEmail.automated.eq(True)
    )


async def attachments_of(*, ticket_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await Attachment.select().where(Attachment.ticket == ticket_id).order_by(Attachment.id)
    )
    return rows


async def emails_of(*, ticket_id: int) -> list[dict[str, Any]]:
    """The inbound emails of a ticket, without their raw bytes."""
    columns = [c for c in InboundEmail.all_columns() if c._meta.name != "raw_message"]
    rows: list[dict[str, Any]] = (
        await InboundEmail.select(*columns)
        .where(InboundEmail.ticket == ticket_id)
        .order_by(InboundEmail.id)
    )
    return rows


async def attachment_content(*, attachment_id: int) -> tuple[dict[str, Any], bytes]:
    row = await Attachment.select().where(Attachment.id == attachment_id).first()
    if not row:
        raise NotFound(f"attachment {attachment_id} does not exist", field="attachment_id")
    if row["sha256"] is None:
        raise Conflict(
            "the attachment was over the size limit and was not stored; the raw message"
            " has it while it is kept",
            field="attachment_id",
        )
    return row, attachment_store().get(row["sha256"])


async def raw_message(*, email_id: int) -> bytes:
    row = (
        await InboundEmail.select(InboundEmail.raw_message)
        .where(InboundEmail.id == email_id)
        .first()
    )
    if not row:
        raise NotFound(f"inbound email {email_id} does not exist", field="email_id")
    if row["raw_message"] is None:
        raise NotFound("the raw message is no longer kept", field="email_id")
    return bytes(row["raw_message"])


async def purge_raw_messages(*, now: datetime | None = None, older_than_days: int) -> int:
    """Forgets the raw bytes of messages received more than N days ago (parsed ones: an
    unreadable message keeps its raw bytes, they are all there is)."""
    now = now or utcnow()
    where = (
        InboundEmail.received_at < now - timedelta(days=older_than_days),
        InboundEmail.raw_message.is_not_null(),
        InboundEmail.status != "unparsed",
    )
    count = await InboundEmail.count().where(*where)
    if count:
        await InboundEmail.update({InboundEmail.raw_message: None}).where(*where)
    return int(count)
