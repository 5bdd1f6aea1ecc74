"""`servicedesk outbox backlog`: what waits in the outbox, for a look or for a monitoring
check (its exit status says whether something waits too long)."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.table import Table

from servicedesk.clock import iso, utcnow
from servicedesk.commands import console, run


@click.group()
def outbox() -> None:
    """The outbox: what the desk sends, and the events it hands to automation."""


@outbox.command("backlog")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--late-after",
    type=click.IntRange(min=1),
    default=60,
    show_default=True,
    help="Exit with status 2 when some kind's oldest due row has waited longer (seconds).",
)
def backlog(output: str, late_after: int) -> None:
    """Per kind: rows due (should have gone by now) and since when, scheduled for later,
    failed, unknown. Status 2 when the workers are down or behind, for a cron check."""
    from . import queries

    now = utcnow()
    kinds = run(lambda: queries.backlog(now=now))
    late = [
        k["kind"]
        for k in kinds
        if k["oldest_due_at"] is not None
        and (now - k["oldest_due_at"]).total_seconds() > late_after
    ]
    if output == "json":
        answer = {
            "checked_at": iso(now),
            "kinds": [{**k, "oldest_due_at": iso(k["oldest_due_at"])} for k in kinds],
            "late": late,
        }
        click.echo(json.dumps(answer))
    else:
        table = Table("kind", "due", "oldest due", "scheduled", "failed", "unknown")
        for k in kinds:
            table.add_row(
                k["kind"],
                str(k["due"]),
                iso(k["oldest_due_at"]) or "-",
                str(k["scheduled"]),
                str(k["failed"]),
                str(k["unknown"]),
            )
        Console().print(table)
    if late:
        console.print(f"late: {', '.join(late)} waited over {late_after} s (is a worker running?)")
        sys.exit(2)
