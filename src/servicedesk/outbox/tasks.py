"""Huey tasks that deliver the outbox. Tasks are synchronous; each runs its async work on an
event loop of its own, without a shared connection pool."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from datetime import datetime

from huey import crontab

from servicedesk import plugins
from servicedesk.clock import utcnow
from servicedesk.queue import huey

from . import service
from .mail import MailNotConfigured, build_message, send_message

log = logging.getLogger(__name__)


async def deliver(outbox_id: int, now: datetime | None = None) -> str:
    """Delivers one outbox row if it is due; returns its status afterwards. A given `now`
    holds the clock for the whole delivery, so tests can step through the backoff."""
    row = await service.claim(outbox_id=outbox_id, now=now or utcnow())
    if row is None:
        return "skipped"
    try:
        await _deliver_row(row)
    except (
        OSError,
        ValueError,
        smtplib.SMTPException,
        MailNotConfigured,
        plugins.DeliveryFailed,
    ) as exc:
        log.warning(
            "%s %s not delivered (attempt %s): %s", row["kind"], outbox_id, row["attempts"], exc
        )
        due = await service.mark_attempt_failed(
            outbox_id=outbox_id,
            attempts=row["attempts"],
            error=str(exc) or type(exc).__name__,
            now=now or utcnow(),
        )
        if due is None:
            return "failed"
        # The retry runs when it is due; the minute sweep stays as the safety net (a lost
        # task, a worker restart) and finds nothing left to do when this one ran.
        service.kick(outbox_id, at=due)
        return "pending"
    await service.mark_sent(outbox_id=outbox_id, now=now or utcnow())
    return "sent"


async def _deliver_row(row: dict) -> None:
    """Hands one claimed row to whoever delivers its kind: domain events to the plugins'
    consumers (automation, webhooks), emails to SMTP, a plugin's own kind to its
    deliverer."""
    kind = row["kind"]
    if kind == "event":
        for consume in plugins.event_consumers():
            await consume(row)
    elif kind == "email":
        # Built inside the caller's try: a header that cannot be built must count as a
        # failed attempt, or the row would stay "sending" and be claimed again forever.
        await asyncio.to_thread(send_message, build_message(row))
    else:
        deliver_kind = plugins.deliverer(kind)
        if deliver_kind is None:
            raise plugins.DeliveryFailed(f"no deliverer for outbox rows of kind {kind!r}")
        await deliver_kind(row)


async def deliver_due(now: datetime | None = None) -> dict[str, int]:
    """Delivers every due row, a page at a time (a segment's NPS emails may be thousands);
    the periodic sweep and tests call this. A row that fails is due again only later."""
    counts: dict[str, int] = {}
    await service.release_stale_claims(now=now or utcnow())
    last = 0
    while page := await service.due_ids(now=now or utcnow(), after=last):
        for outbox_id in page:
            status = await deliver(outbox_id, now=now)
            counts[status] = counts.get(status, 0) + 1
        last = page[-1]
    return counts


@huey.task()
def deliver_outbox_message(outbox_id: int) -> None:
    # Returns nothing on purpose: huey keeps every non-None result in its store until it is
    # read, and nobody reads these, so one entry per email would pile up forever.
    asyncio.run(deliver(outbox_id))


@huey.task()
def deliver_outbox_messages(outbox_ids: list[int]) -> None:
    """The rows the kicker gathered from one or more changes, in one task (returns nothing,
    as above)."""

    async def deliver_each() -> None:
        for outbox_id in outbox_ids:
            await deliver(outbox_id)

    asyncio.run(deliver_each())


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> dict[str, int]:
    return asyncio.run(deliver_due())
