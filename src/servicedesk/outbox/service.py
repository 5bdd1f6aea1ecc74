"""Outbox: write domain events and emails with the change; deliver them afterwards."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from servicedesk import statements, writes
from servicedesk.clock import utcnow
from servicedesk.db import after_commit, fetch, id_list, write_transaction
from servicedesk.errors import Conflict, NotFound
from servicedesk.settings import get_settings

from .tables import OutboxMessage

log = logging.getLogger(__name__)
Outbox = OutboxMessage
# How long the kicker waits after a first id for others to join its task: one queue round
# trip per 50 ms at most under load (the kicks cost ~10 % of the server at 10 ms), at most
# 50 ms later delivery when idle.
KICK_GATHER_SECONDS = 0.05


class _Kicker:
    """Hands the ids of committed rows (a change's events, an email) to the queue from a
    thread of its own, several changes' rows in one task when they come faster than the
    queue answers. Enqueuing on the request's event loop blocked every request in the
    process for a Redis round trip per change. A kick lost with the process (or refused by
    the queue) is delivered by the periodic sweep (sweep_outbox), as before."""

    def __init__(self) -> None:
        self._ids: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def kick(self, message_ids: list[int]) -> None:
        self._ids.put(message_ids)
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="outbox-kicker", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        from .tasks import deliver_outbox_messages

        while True:
            ids = list(self._ids.get())
            # A moment for the changes committing meanwhile to join this task: one queue
            # round trip for many changes under load, KICK_GATHER_SECONDS later delivery when idle.
            time.sleep(KICK_GATHER_SECONDS)
            with contextlib.suppress(queue.Empty):
                while True:
                    ids.extend(self._ids.get_nowait())
            try:
                deliver_outbox_messages(ids)
            except Exception:  # the queue is down: the sweep delivers them later
                log.exception("could not enqueue outbox rows %s", ids)


_kicker = _Kicker()


def kick(message_id: int, at: datetime | None = None) -> None:
    """Hands a row to the worker: now through the kicker thread, or at `at` for a delayed
    one (the sweep is the net)."""
    if at is None:
        _kicker.kick([message_id])
    else:
        from .tasks import deliver_outbox_message

        deliver_outbox_message.schedule(args=(message_id,), eta=at)


_cause: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "event_cause", default=None
)


@contextlib.contextmanager
def caused_by(**cause: Any) -> Any:
    """Events emitted inside the block carry `cause` in their payload (under "cause"): an
    automation rule's changes say which rule and at what chain depth they were made, so
    the rules they trigger in turn can stop a loop."""
    token = _cause.set(cause)
    try:
        yield
    finally:
        _cause.reset(token)


async def emit_event(
    *, topic: str, payload: dict[str, Any], ticket_id: int | None, now: datetime
) -> None:
    """Records a domain event (ticket.created, message.received, ticket.solved, ...). Inside
    a write transaction the events of the change are written together just before it
    commits (still in it, with its other later writes: writes.insert_later), and handed
    to the queue once it has."""
    cause = _cause.get()
    if cause is not None:
        payload = {**payload, "cause": cause}
    row = {
        "kind": "event",
        "topic": topic,
        "payload": json.dumps(payload),
        "ticket": ticket_id,
        "not_before": now,
        "created_at": now,
    }
    await writes.insert_later(
        Outbox, [row], returned=lambda: after_commit(lambda: _kick_event(row))
    )


def _kick_event(row: dict[str, Any]) -> None:
    if row.get("id"):  # none yet: in a unit of work's batch, the sweep delivers it
        _kicker.kick([int(row["id"])])


@dataclass
class Email:
    """An email to record in the outbox (see queue_emails)."""

    to: str
    subject: str
    body: str
    ticket_id: int | None = None
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    topic: str = "reply"
    not_before: datetime | None = None
    # Extra headers ({"List-Unsubscribe": ...}) and who it is for ({"customer_id": ...}),
    # kept in the row's payload.
    headers: dict[str, str] | None = None
    customer_id: int | None = None
    recipient_id: int | None = None  # a campaign's recipient row (marketing)

    def payload(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.headers:
            found["headers"] = self.headers
        if self.customer_id is not None:
            found["customer_id"] = self.customer_id
        if self.recipient_id is not None:
            found["recipient_id"] = self.recipient_id
        return found


def _email_rows(emails: list[Email], now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "kind": "email",
            "topic": email.topic,
            "payload": json.dumps(email.payload()),
            "to_address": email.to,
            "subject": email.subject,
            "body_text": email.body,
            "ticket": email.ticket_id,
            "message_id": email.message_id,
            "in_reply_to": email.in_reply_to,
            "references": email.references,
            "not_before": email.not_before or now,
            "created_at": now,
        }
        for email in emails
    ]


def _kick_once_committed(outbox_ids: list[int], emails: list[Email], now: datetime) -> None:
    """Hands the emails to the worker after the change commits: now, or at a later
    not_before. No id: written in a unit of work's batch, which the sweep delivers."""
    due_now = []
    for outbox_id, email in zip(outbox_ids, emails, strict=True):
        if not outbox_id:
            continue
        if email.not_before and email.not_before > now:
            after_commit(functools.partial(kick, outbox_id, at=email.not_before))
        else:
            due_now.append(outbox_id)
    if due_now:
        after_commit(lambda: _kicker.kick(due_now))


async def queue_emails(emails: list[Email], *, now: datetime) -> None:
    """Records emails to send with the change's later writes (writes.insert_later: in one
    statement with its events and audit rows, just before it commits); the worker
    delivers each after the commit (at its not_before, if that is later)."""
    if not emails:
        return
    rows = _email_rows(emails, now)
    await writes.insert_later(
        Outbox,
        rows,
        returned=lambda: _kick_once_committed([row.get("id") or 0 for row in rows], emails, now),
    )


async def queue_emails_with_ids(emails: list[Email], *, now: datetime) -> list[int]:
    """queue_emails for a change that refers to the emails' rows before it commits (a
    campaign's recipients point at their email): written now; returns their ids."""
    if not emails:
        return []
    ids = await writes.insert_many(Outbox, _email_rows(emails, now))
    _kick_once_committed(ids, emails, now)
    return ids


async def queue_message(
    *,
    kind: str,
    topic: str,
    payload: dict[str, Any],
    ticket_id: int | None,
    to: str = "",
    subject: str = "",
    now: datetime,
) -> int:
    """Records a row of a plugin's own kind (e.g. "webhook"), delivered by that plugin's
    deliverer after the transaction commits, with the same retries as an email."""
    rows = await Outbox.insert(
        Outbox(
            kind=kind,
            topic=topic,
            payload=json.dumps(payload),
            ticket=ticket_id,
            to_address=to[:254],
            subject=subject[:400],
            not_before=now,
            created_at=now,
        )
    ).returning(Outbox.id)
    outbox_id = int(rows[0]["id"])
    after_commit(lambda: _kicker.kick([outbox_id]))
    return outbox_id


async def claim_many(*, outbox_ids: list[int], now: datetime) -> list[dict[str, Any]]:
    """Marks the due pending rows among `outbox_ids` as being sent by this worker, in one
    statement; returns the rows it got (payload parsed), in id order. Those another worker
    has, or that are not due, are left out."""
    if not outbox_ids:
        return []
    claimed = await fetch(
        _CLAIM.for_engine(), "sending", now, 1, id_list(outbox_ids), "pending", now
    )
    for row in claimed:
        if isinstance(row["payload"], str):
            row["payload"] = json.loads(row["payload"])
    return sorted(claimed, key=lambda row: int(row["id"]))


_CLAIM = statements.update_listed(
    Outbox,
    set_columns=("status", "not_before"),
    add_columns=("attempts",),
    conditions=(("status", "="), ("not_before", "<=")),
    returning=True,
)
_SENT = statements.update_listed(Outbox, set_columns=("status", "sent_at", "last_error"))


async def mark_handed_over(*, outbox_id: int, now: datetime) -> None:
    """The message's content goes to the SMTP server next: from here on a dead worker
    leaves it unknown rather than pending (see release_stale_claims)."""
    await writes.update(Outbox, {"id": outbox_id}, {"handed_over_at": now})


async def mark_unknown(*, outbox_id: int, error: str) -> None:
    """The connection dropped after the content went out: delivered or not, we cannot tell,
    so it is not sent again by itself (an admin may re-send it)."""
    await Outbox.update({Outbox.status: "unknown", Outbox.last_error: error}).where(
        Outbox.id == outbox_id
    )


async def clear_handed_over(*, outbox_id: int) -> None:
    """The server answered the content with a refusal: nothing was delivered."""
    await Outbox.update({Outbox.handed_over_at: None}).where(Outbox.id == outbox_id)


async def mark_sent(*, outbox_id: int, now: datetime) -> None:
    await writes.update(
        Outbox, {"id": outbox_id}, {"status": "sent", "sent_at": now, "last_error": ""}
    )


async def mark_sent_many(*, outbox_ids: list[int], now: datetime) -> None:
    """mark_sent for a batch (delivered domain events), in one statement."""
    if outbox_ids:
        await fetch(_SENT.for_engine(), "sent", now, "", id_list(outbox_ids))


async def mark_final(*, outbox_ids: list[int], status: str, error: str) -> None:
    """Ends rows without delivery and without retry: "bounced" (the server refused the
    address for good) or "cancelled" (a send-time check, e.g. an unsubscribe since)."""
    assert status in ("bounced", "cancelled"), status
    if outbox_ids:
        await Outbox.update({Outbox.status: status, Outbox.last_error: error}).where(
            Outbox.id.is_in(outbox_ids)
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


async def release_stale_claims(*, now: datetime) -> None:
    """Rows a dead worker left "sending" become pending again, unless their content was
    already being handed to the SMTP server: the server may have accepted it, and sending
    it again could make a duplicate, so those become "unknown" (visible, and re-sendable
    by an admin who checks). Exactly once beats at least once for what we send."""
    stale = now - timedelta(seconds=get_settings().outbox_stale_claim_seconds)
    await Outbox.update(
        {
            Outbox.status: "unknown",
            Outbox.last_error: "the worker stopped while handing it to the SMTP server;"
            " not sent again in case it was delivered",
        }
    ).where(
        Outbox.status == "sending", Outbox.not_before < stale, Outbox.handed_over_at.is_not_null()
    )
    await Outbox.update({Outbox.status: "pending"}).where(
        Outbox.status == "sending", Outbox.not_before < stale
    )


async def due_ids(*, now: datetime, after: int = 0, limit: int = 100) -> list[int]:
    """A page of the rows to deliver now, by id after `after`."""
    rows = (
        await Outbox.select(Outbox.id)
        .where(Outbox.status == "pending", Outbox.not_before <= now, Outbox.id > after)
        .order_by(Outbox.id)
        .limit(limit)
    )
    return [int(row["id"]) for row in rows]


async def resend(*, outbox_id: int, now: datetime | None = None) -> None:
    """Puts a failed email or plugin row (a webhook delivery) back in line for delivery."""
    now = now or utcnow()
    async with write_transaction():
        row = await Outbox.select(Outbox.status).where(Outbox.id == outbox_id).first()
        if not row:
            raise NotFound(f"outbox message {outbox_id} does not exist", field="id")
        if row["status"] not in ("failed", "unknown"):
            raise Conflict(
                f"only failed or unknown messages can be re-sent; this one is {row['status']}"
            )
        await Outbox.update(
            {
                Outbox.status: "pending",
                Outbox.attempts: 0,
                Outbox.not_before: now,
                Outbox.handed_over_at: None,
            }
        ).where(Outbox.id == outbox_id)
        after_commit(lambda: kick(outbox_id))


# The rows kept only OUTBOX_KEEP_DAYS once delivered: the domain events (read once by
# their consumers; the dry run rebuilds history from the audit trail, not from them) and
# the webhook deliveries. Emails stay: replies find their ticket by the Message-ID, and
# bounces, campaign recipients and the mail log point at their rows.
PRUNED_KINDS = ("event", "webhook")


async def prune_delivered(*, now: datetime, older_than_days: int) -> int:
    """Deletes the events and webhook deliveries delivered more than N days ago, a batch
    at a time (writes.delete_old); returns how many. Rows not delivered (pending,
    failed, unknown) stay."""
    return await writes.delete_old(
        Outbox,
        Outbox.kind.is_in(list(PRUNED_KINDS)),
        Outbox.status == "sent",
        Outbox.sent_at < now - timedelta(days=older_than_days),
    )


# What the outbox view lists: what leaves the desk, not the domain events automation reads.
OUTGOING_KINDS = ("email", "webhook", "channel")


async def list_messages(
    *, kind: str | None = None, status: str | None = None, limit: int = 200
) -> list[dict]:
    where = [Outbox.kind == kind] if kind else [Outbox.kind.is_in(list(OUTGOING_KINDS))]
    if status:
        where.append(Outbox.status == status)
    return (
        await Outbox.select()
        .where(*where)
        .order_by(Outbox.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
