"""Every huey task of the service desk, imported by the worker."""

from __future__ import annotations

from huey import crontab

from servicedesk import taskloop
from servicedesk.actors import SYSTEM
from servicedesk.channels import service as channels
from servicedesk.clock import utcnow
from servicedesk.marketing import campaigns
from servicedesk.outbox import service as outbox
from servicedesk.outbox.tasks import deliver_outbox_message, sweep_outbox
from servicedesk.queue import huey
from servicedesk.settings import get_settings
from servicedesk.sla import service as sla
from servicedesk.tickets import service as tickets


@huey.periodic_task(crontab(minute="*/15"))
def close_solved_tickets() -> int:
    """Closes tickets solved more than AUTO_CLOSE_DAYS ago."""
    return taskloop.run(
        tickets.close_solved_tickets(older_than_days=get_settings().auto_close_days)
    )


@huey.periodic_task(crontab(minute="7", hour="*"))
def purge_raw_emails() -> int:
    """Forgets the raw bytes of inbound emails older than MAIL_RAW_KEEP_DAYS."""
    return taskloop.run(
        channels.purge_raw_messages(older_than_days=get_settings().mail_raw_keep_days)
    )


@huey.periodic_task(crontab(minute="37", hour="*"))
def prune_outbox() -> int:
    """Deletes the events and webhook deliveries delivered more than OUTBOX_KEEP_DAYS ago."""
    return taskloop.run(
        outbox.prune_delivered(now=utcnow(), older_than_days=get_settings().outbox_keep_days)
    )


@huey.periodic_task(crontab(minute="*"))
def check_sla_breaches() -> int:
    """Raises `sla.breached` for the SLA targets that fell due (once per ticket and target)."""
    return taskloop.run(sla.check_breaches())


@huey.periodic_task(crontab(minute="*"))
def send_scheduled_campaigns() -> None:
    """Queues the campaigns whose send_at has come (returns nothing: see outbox.tasks)."""
    taskloop.run(campaigns.send_due_campaigns(now=utcnow(), actor=SYSTEM))


__all__ = [
    "check_sla_breaches",
    "close_solved_tickets",
    "deliver_outbox_message",
    "prune_outbox",
    "purge_raw_emails",
    "send_scheduled_campaigns",
    "sweep_outbox",
]
