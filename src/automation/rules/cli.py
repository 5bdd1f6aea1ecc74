"""CLI of the rules: `tick [--now ISO]`, `export [FILE]`, `import FILE.json | --builtin`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import click

from servicedesk.errors import DomainError


def _cli() -> Any:
    # Imported when a command runs: servicedesk.cli loads the plugins (and so this module)
    # while it is being imported itself.
    from servicedesk import cli

    return cli


def builtin_templates() -> list[dict[str, Any]]:
    """The built-in follow-up rules shipped with the package (rules/templates/*.json)."""
    folder = resources.files("automation.rules") / "templates"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            found.append(json.loads(entry.read_text()))
    return found


def _parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        _cli().fail(f"--now {value!r} is not an ISO date-time")
        raise
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@click.command("tick")
@click.option("--now", "now_text", default=None, help="ISO date-time of the pass (default: now)")
def tick_command(now_text: str | None) -> None:
    """One pass of the time rules at NOW, then deliver the outbox rows due at NOW
    (follow-ups, the emails the pass queued), as the worker would by then."""
    from servicedesk.outbox.tasks import deliver_due

    from .timerules import tick

    now = _parse_now(now_text)

    async def main() -> dict[str, Any]:
        counts = await tick(now=now)
        delivered = await deliver_due(now=now)
        return {**counts, "delivered": delivered}

    click.echo(json.dumps(_cli().run(main)))


@click.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def export_command(file: Path | None) -> None:
    """Write every rule as JSON (a list, the spec's shape) to FILE or stdout."""
    from .service import export_rules

    text = json.dumps(_cli().run(export_rules), indent=2, default=str) + "\n"
    if file:
        file.write_text(text)
        _cli().console.print(f"rules written to {file}")
    else:
        sys.stdout.write(text)


@click.command("import")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--builtin", is_flag=True, help="Import the built-in follow-up rules.")
@click.option(
    "--skip-existing", is_flag=True, help="Leave rules of the same name as they are (make demo)."
)
def import_command(file: Path | None, builtin: bool, skip_existing: bool) -> None:
    """Check every rule of FILE.json (a list of rules, or one rule), then create or update
    each by name."""
    from .service import import_rules

    fail = _cli().fail
    if not file and not builtin:
        fail("name a FILE.json, or --builtin")
    rules: list[Any] = builtin_templates() if builtin else []
    if file:
        try:
            data = json.loads(file.read_text())
        except ValueError as exc:
            fail(f"{file} is not JSON: {exc}")
            raise
        rules += data if isinstance(data, list) else [data]
    try:
        counts = _cli().run(lambda: import_rules(rules=rules, skip_existing=skip_existing))
    except DomainError as exc:
        fail(f"{exc.field}: {exc.detail}" if exc.field else exc.detail)
        raise
    _cli().console.print(
        f"{counts['created']} created, {counts['updated']} updated, {counts['skipped']} kept"
    )


@click.command("dry-run")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "start", required=True, help="Start of the period, ISO 8601.")
@click.option("--to", "end", default=None, help="End (exclusive), ISO 8601; default now.")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json")
def dry_run_command(file: Path, start: str, end: str | None, fmt: str) -> None:
    """What the rule in FILE.json would have done over [--from, --to), changing nothing."""
    from .dryrun import dry_run

    cli = _cli()
    try:
        rule = json.loads(file.read_text())
    except ValueError as exc:
        cli.fail(f"{file} is not JSON: {exc}")
        raise
    period_start, period_end = _parse_now(start), _parse_now(end)
    try:
        result = cli.run(lambda: dry_run(rule=rule, start=period_start, end=period_end))
    except DomainError as exc:
        cli.fail(f"{exc.field}: {exc.detail}" if exc.field else exc.detail)
        raise
    if fmt == "json":
        click.echo(json.dumps(result, indent=1, default=str))
        return
    from rich.table import Table

    table = Table(title=f"fired {result['fired']} times on {result['tickets']} tickets")
    for column in ("ticket", "event", "at", "subject", "actions"):
        table.add_column(column, overflow="fold")
    for item in result["items"]:
        table.add_row(
            f"#{item['ticket_id']}" if item["ticket_id"] else f"customer {item['customer_id']}",
            item["event"],
            item["at"].strftime("%Y-%m-%d %H:%M"),
            item["subject"] or "",
            "; ".join(item["actions"]),
        )
    from rich.console import Console

    Console().print(table)
