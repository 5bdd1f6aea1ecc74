"""Huey tasks of the rules engine: the time rules' pass, once a minute."""

from __future__ import annotations

from huey import crontab

from servicedesk import taskloop
from servicedesk.clock import utcnow
from servicedesk.queue import huey

from .timerules import tick


@huey.periodic_task(crontab(minute="*"))
def run_time_rules() -> None:
    # Returns nothing: huey would keep every periodic result in its store.
    taskloop.run(tick(now=utcnow()))
