"""Huey tasks of the rules engine: the time rules' pass, once a minute; the run log's
prune, hourly."""

from __future__ import annotations

from huey import crontab

from servicedesk import taskloop
from servicedesk.clock import utcnow
from servicedesk.queue import huey
from servicedesk.settings import get_settings

from .service import prune_runs
from .timerules import tick


@huey.periodic_task(crontab(minute="*"))
def run_time_rules() -> None:
    # Returns nothing: huey would keep every periodic result in its store.
    taskloop.run(tick(now=utcnow()))


@huey.periodic_task(crontab(minute="41", hour="*"))
def prune_rule_runs() -> None:
    """Deletes the run log older than RULE_RUN_KEEP_DAYS (see service.prune_runs)."""
    taskloop.run(prune_runs(now=utcnow(), older_than_days=get_settings().rule_run_keep_days))
