"""Huey tasks that deliver the outbox. Tasks are synchronous; each runs its async work on an
event loop of its own, without a shared connection pool."""

from __future__ import annotations

import asyncio
import logging
import smtplib

from huey import crontab

from servicedesk.clock import utcnow
from servicedesk.queue import huey

from . import service
from .mail import MailNotConfigured, build_message, send_message

log = logging.getLogger(__name__)


async def deliver(outbox_id: int) -> str:
    """Delivers one outbox row if it is due; returns its status afterwards."""
    now = utcnow()
    row = await service.claim(outbox_id=outbox_id, now=now)
    if row is None:
        return "skipped"
    if row["kind"] == "event":
        # Events are for automation and webhooks, which subscribe in the worker.
        await service.mark_sent(outbox_id=outbox_id, now=now)
        return "sent"
    try:
        await asyncio.to_thread(send_message, build_message(row))
    except (OSError, smtplib.SMTPException, MailNotConfigured) as exc:
        log.warning("mail %s not delivered (attempt %s): %s", outbox_id, row["attempts"], exc)
        return await service.mark_attempt_failed(
            outbox_id=outbox_id,
            attempts=row["attempts"],
            error=str(exc) or type(exc).__name__,
            now=utcnow(),
        )
    await service.mark_sent(outbox_id=outbox_id, now=utcnow())
    return "sent"


async def deliver_due() -> dict[str, int]:
    """Delivers every due row; the periodic sweep and tests call this."""
    counts: dict[str, int] = {}
    for outbox_id in await service.due_ids(now=utcnow()):
        status = await deliver(outbox_id)
        counts[status] = counts.get(status, 0) + 1
    return counts


@huey.task()
def deliver_outbox_message(outbox_id: int) -> str:
    return asyncio.run(deliver(outbox_id))


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> dict[str, int]:
    return asyncio.run(deliver_due())
