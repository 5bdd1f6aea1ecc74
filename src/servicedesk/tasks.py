"""Every huey task of the service desk, imported by the worker."""

from __future__ import annotations

import asyncio

from huey import crontab

from servicedesk.actors import SYSTEM
from servicedesk.clock import utcnow
from servicedesk.marketing import campaigns
from servicedesk.outbox.tasks import deliver_outbox_message, sweep_outbox
from servicedesk.queue import huey
from servicedesk.settings import get_settings
from servicedesk.tickets import service as tickets


@huey.periodic_task(crontab(minute="*/15"))
def close_solved_tickets() -> int:
    """Closes tickets solved more than AUTO_CLOSE_DAYS ago."""
    return asyncio.run(tickets.close_solved_tickets(older_than_days=get_settings().auto_close_days))


@huey.periodic_task(crontab(minute="*"))
def send_scheduled_campaigns() -> None:
    """Queues the campaigns whose send_at has come (returns nothing: see outbox.tasks)."""
    asyncio.run(campaigns.send_due_campaigns(now=utcnow(), actor=SYSTEM))


__all__ = [
    "close_solved_tickets",
    "deliver_outbox_message",
    "send_scheduled_campaigns",
    "sweep_outbox",
]
