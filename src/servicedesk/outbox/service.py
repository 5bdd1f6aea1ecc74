"""Outbox: write domain events and emails with the change; deliver them afterwards."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from servicedesk.clock import utcnow
from servicedesk.db import after_commit, write_transaction
from servicedesk.errors import Conflict, NotFound
from servicedesk.settings import get_settings

from .tables import OutboxMessage

Outbox = OutboxMessage
# A row left "sending" this long was claimed by a worker that died; it is tried again.
STALE_CLAIM = timedelta(minutes=10)


def kick(message_id: int, at: datetime | None = None) -> None:
    """Hands a row to the worker now, or at `at` for a delayed one (the sweep is the net)."""
    from .tasks import deliver_outbox_message

    if at is None:
        deliver_outbox_message(message_id)
    else:
        deliver_outbox_message.schedule(args=(message_id,), eta=at)


async def emit_event(
    *, topic: str, payload: dict[str, Any], ticket_id: int | None, now: datetime
) -> int:
    """Records a domain event (ticket.created, message.received, ticket.solved, ...)."""
    rows = await Outbox.insert(
        Outbox(
            kind="event",
            topic=topic,
            payload=payload,
            ticket=ticket_id,
            not_before=now,
            created_at=now,
        )
    )
    message_id = int(rows[0]["id"])
    after_commit(lambda: kick(message_id))
    return message_id


async def queue_email(
    *,
    to: str,
    subject: str,
    body: str,
    ticket_id: int | None,
    now: datetime,
    message_id: str = "",
    in_reply_to: str = "",
    references: str = "",
    topic: str = "reply",
    not_before: datetime | None = None,
) -> int:
    """Records an email to send; the worker delivers it after the transaction commits."""
    rows = await Outbox.insert(
        Outbox(
            kind="email",
            topic=topic,
            to_address=to,
            subject=subject,
            body_text=body,
            ticket=ticket_id,
            message_id=message_id,
            in_reply_to=in_reply_to,
            references=references,
            not_before=not_before or now,
            created_at=now,
        )
    )
    outbox_id = int(rows[0]["id"])
    if not_before is None or not_before <= now:
        after_commit(lambda: kick(outbox_id))
    else:
        after_commit(lambda: kick(outbox_id, at=not_before))
    return outbox_id


async def claim(*, outbox_id: int, now: datetime) -> dict[str, Any] | None:
    """Marks a due pending row as being sent by this worker; None if another has it."""
    claimed = (
        await Outbox.update(
            {Outbox.status: "sending", Outbox.attempts: Outbox.attempts + 1, Outbox.not_before: now}
        )
        .where(Outbox.id == outbox_id, Outbox.status == "pending", Outbox.not_before <= now)
        .returning(Outbox.id)
    )
    if not claimed:
        return None
    return await Outbox.select().where(Outbox.id == outbox_id).output(load_json=True).first()


async def mark_sent(*, outbox_id: int, now: datetime) -> None:
    await Outbox.update({Outbox.status: "sent", Outbox.sent_at: now, Outbox.last_error: ""}).where(
        Outbox.id == outbox_id
    )


async def mark_attempt_failed(
    *, outbox_id: int, attempts: int, error: str, now: datetime
) -> datetime | None:
    """Puts the row back in line with exponential backoff and returns when it is due again,
    or marks it failed after the last try and returns None."""
    settings = get_settings()
    if attempts >= settings.mail_max_attempts:
        await Outbox.update({Outbox.status: "failed", Outbox.last_error: error}).where(
            Outbox.id == outbox_id
        )
        return None
    due = now + timedelta(seconds=settings.mail_retry_delay_seconds * 2 ** (attempts - 1))
    await Outbox.update(
        {Outbox.status: "pending", Outbox.last_error: error, Outbox.not_before: due}
    ).where(Outbox.id == outbox_id)
    return due


async def due_ids(*, now: datetime, limit: int = 100) -> list[int]:
    """Rows to deliver now; stale claims of dead workers are released first."""
    await Outbox.update({Outbox.status: "pending"}).where(
        Outbox.status == "sending", Outbox.not_before < now - STALE_CLAIM
    )
    rows = (
        await Outbox.select(Outbox.id)
        .where(Outbox.status == "pending", Outbox.not_before <= now)
        .order_by(Outbox.id)
        .limit(limit)
    )
    return [int(row["id"]) for row in rows]


async def resend(*, outbox_id: int, now: datetime | None = None) -> None:
    """Puts a failed email back in line for delivery."""
    now = now or utcnow()
    async with write_transaction():
        row = await Outbox.select(Outbox.status).where(Outbox.id == outbox_id).first()
        if not row:
            raise NotFound(f"outbox message {outbox_id} does not exist", field="id")
        if row["status"] != "failed":
            raise Conflict(f"only failed messages can be re-sent; this one is {row['status']}")
        await Outbox.update(
            {Outbox.status: "pending", Outbox.attempts: 0, Outbox.not_before: now}
        ).where(Outbox.id == outbox_id)
        after_commit(lambda: kick(outbox_id))


async def list_messages(
    *, kind: str = "email", status: str | None = None, limit: int = 200
) -> list[dict]:
    where = [Outbox.kind == kind]
    if status:
        where.append(Outbox.status == status)
    return (
        await Outbox.select()
        .where(*where)
        .order_by(Outbox.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
