"""The `servicedesk` command: serve, worker, migrate, demo, import, report, token, user, mail."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

T = TypeVar("T")
console = Console(stderr=True)


def run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    """Runs async work with the database pool open."""
    from servicedesk import db

    async def main() -> T:
        await db.start_pool()
        try:
            return await coro_factory()
        finally:
            await db.close_pool()

    return asyncio.run(main())


def fail(message: str, code: int = 1) -> None:
    console.print(f"[red]error:[/red] {message}")
    sys.exit(code)


@click.group()
def main() -> None:
    """Self-hostable service desk with honest CX scoring."""


@main.command()
def migrate() -> None:
    """Apply the database migrations."""
    result = subprocess.run(
        [sys.executable, "-m", "piccolo.main", "migrations", "forwards", "all"],
        env={**__import__("os").environ, "PICCOLO_CONF": "servicedesk.piccolo_conf"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        fail(result.stdout + result.stderr)
    console.print("migrations applied")


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=int)
@click.option("--workers", default=1, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Run the HTTP server (API and web UI)."""
    import uvicorn

    uvicorn.run(
        "servicedesk.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


@main.command()
@click.option("--workers", default=2, type=int)
def worker(workers: int) -> None:
    """Run the huey consumer: outbox delivery and periodic jobs."""
    import importlib

    from huey.consumer import Consumer

    import servicedesk.tasks  # noqa: F401  (registers the tasks)
    from servicedesk.plugins import plugins
    from servicedesk.queue import huey

    for plugin in plugins():
        for module in plugin.task_modules:
            importlib.import_module(module)

    Consumer(huey, workers=workers, worker_type="thread", periodic=True).run()


@main.command("openapi")
def openapi() -> None:
    """Print the OpenAPI schema (the frontend generates its API types from it)."""
    from servicedesk.app import create_app

    click.echo(json.dumps(create_app().openapi_schema.to_schema(), indent=1, sort_keys=True))


@main.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the good lines; write the bad ones to a reject file.",
)
@click.option("--reject-file", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes replaying the tickets (PostgreSQL; default: one per CPU). SQLite uses 1.",
)
def import_(path: Path, skip_invalid: bool, reject_file: Path | None, workers: int | None) -> None:
    """Import a JSON Lines history file (docs/import-format.md)."""
    import os

    from rich.progress import BarColumn, Progress, TextColumn

    from servicedesk.imports.service import import_file

    reject = reject_file or path.with_suffix(".rejected.jsonl")
    total = sum(1 for _ in path.open("rb"))
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} lines"),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("importing (people, then history)", total=total * 2)
        seen = [0]

        def progress(_line: int) -> None:
            seen[0] += 1
            bar.update(task, completed=seen[0])

        report = run(
            lambda: import_file(
                path,
                skip_invalid=skip_invalid,
                reject_path=reject if skip_invalid else None,
                progress=progress,
                workers=workers or os.cpu_count() or 1,
            )
        )
    for rejected in report.rejected:
        console.print(f"line {rejected['line']}: {rejected['reason']}")
    click.echo(json.dumps(report.as_dict() | {"rejected": len(report.rejected)}, indent=1))
    if report.rejected:
        if skip_invalid:
            console.print(f"{len(report.rejected)} line(s) rejected, written to {reject}")
        else:
            console.print(
                f"{len(report.rejected)} bad line(s); nothing was imported (use --skip-invalid to import the rest)"
            )
        sys.exit(1)


def _parse_when(value: str | None, default: datetime) -> datetime:
    if value is None:
        return default
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time like 2026-01-01T00:00:00Z"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@main.command()
@click.argument("kind", type=click.Choice(["cx", "nps", "ces", "customers", "journey"]))
@click.option(
    "--from", "start", default=None, help="Start (inclusive), ISO 8601; default 30 days ago."
)
@click.option("--to", "end", default=None, help="End (exclusive), ISO 8601; default now.")
@click.option(
    "--group-by", default="", help="Comma list of agent, channel, team, day, week, month."
)
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "table"]), default="json")
@click.option(
    "--columns",
    default=None,
    help="Table columns, a comma list (+a,+b adds to the default ones); see docs/metrics.md.",
)
@click.option(
    "--business-hours",
    is_flag=True,
    help="Table: resolution and first response in the team's business hours.",
)
def report(
    kind: str,
    start: str | None,
    end: str | None,
    group_by: str,
    fmt: str,
    columns: str | None,
    business_hours: bool,
) -> None:
    """Print a report: the same JSON as GET /api/reports/KIND."""
    from servicedesk.cx import formats, reports, terminal
    from servicedesk.errors import DomainError

    now = datetime.now(UTC).replace(microsecond=0)
    period_end = _parse_when(end, now)
    period_start = _parse_when(start, period_end - timedelta(days=30))
    if kind == "journey":
        _journey_report(period_start, period_end, fmt)
        return
    try:
        chosen = terminal.choose_columns(kind, columns) if fmt == "table" else []
    except DomainError as exc:
        fail(exc.detail)
        return

    async def build() -> dict[str, Any]:
        if kind == "cx":
            return await reports.cx_report(
                start=period_start, end=period_end, group_by=reports.parse_group_by(group_by)
            )
        builder = {
            "nps": reports.nps_report,
            "ces": reports.ces_report,
            "customers": reports.customers_report,
        }[kind]
        return await builder(start=period_start, end=period_end)

    try:
        result = run(build)
    except DomainError as exc:
        fail(exc.detail)
        return
    if fmt == "json":
        click.echo(json.dumps(result, indent=1))
    elif fmt == "csv":
        click.echo(
            formats.cx_csv(result) if kind == "cx" else formats.flat_csv([_flat(result)]), nl=False
        )
    elif kind == "cx":
        Console().print(terminal.cx_table(result, chosen, business=business_hours))
    else:
        Console().print(terminal.summary_table(kind, result, chosen))


def _journey_report(start: datetime, end: datetime, fmt: str) -> None:
    """The journey funnel (GET /api/reports/journey): JSON, CSV or a table, one row a stage."""
    from rich.table import Table

    from servicedesk.customers import journey
    from servicedesk.customers.schemas import JourneyFunnel
    from servicedesk.cx import formats
    from servicedesk.errors import DomainError

    try:
        report = run(lambda: journey.funnel(start=start, end=end))
    except DomainError as exc:
        fail(exc.detail)
        return
    result = JourneyFunnel.model_validate(report).model_dump(mode="json")
    if fmt == "json":
        click.echo(json.dumps(result, indent=1))
    elif fmt == "csv":
        click.echo(formats.flat_csv(result["stages"]), nl=False)
    else:
        table = Table(title=f"Journey {start:%Y-%m-%d} – {end:%Y-%m-%d}")
        for name in ("stage", "entered", "left", "next stage", "conversion"):
            table.add_column(name, justify="left" if "stage" in name else "right")
        for row in result["stages"]:
            rate = row["conversion_to_next"]
            table.add_row(
                row["stage"],
                str(row["entered"]),
                str(row["left"]),
                row["next_stage"] or "",
                "" if rate is None else f"{rate:.0%}",
            )
        Console().print(table)


def _flat(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if not isinstance(v, list | dict)}


@main.group()
def token() -> None:
    """API tokens for integrations."""


@token.command("create")
@click.option("--agent", "email", required=True, help="Email of the agent the token acts as.")
@click.option("--name", default="", help="What the token is for.")
def token_create(email: str, name: str) -> None:
    """Create an API token and print it (it is not shown again)."""
    from servicedesk.accounts import service

    async def create() -> str | None:
        agent = await service.find_agent_by_email(email=email)
        return await service.create_api_token(agent_id=agent["id"], name=name) if agent else None

    created = run(create)
    if created is None:
        fail(f"no agent with email {email}")
    click.echo(created)


@main.group()
def user() -> None:
    """Agent accounts."""


@user.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["agent", "lead", "admin"]), default="agent")
@click.option("--name", default="")
@click.option("--team", default=None)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from stdin instead of a prompt."
)
def user_create(email: str, role: str, name: str, team: str | None, password_stdin: bool) -> None:
    """Create an agent with a password (prompted, or read from stdin)."""
    from servicedesk.accounts import service
    from servicedesk.errors import DomainError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        fail("the password needs at least 8 characters")
    try:
        agent_id = run(
            lambda: service.create_agent(
                email=email, name=name, role=role, team=team, password=password
            )
        )
    except DomainError as exc:
        fail(exc.detail)
        return
    click.echo(f"created {role} {email} (id {agent_id})")


@main.command()
@click.option("--customers", default=300, type=int)
@click.option("--tickets", default=2000, type=int)
@click.option("--seed", default=7, type=int)
def demo(customers: int, tickets: int, seed: int) -> None:
    """Migrate and load realistic demo data (idempotent: does nothing if agents exist)."""
    from servicedesk.demo import load_demo

    ctx = click.get_current_context()
    ctx.invoke(migrate)
    summary = run(lambda: load_demo(customers=customers, tickets=tickets, seed=seed))
    click.echo(summary)


@main.group()
def mail() -> None:
    """Email in: the SMTP/LMTP listener and the IMAP poller (docs/channels.md)."""


@mail.command("listen")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=2525, type=int)
@click.option("--lmtp", is_flag=True, help="Speak LMTP instead of SMTP.")
def mail_listen(host: str, port: int, lmtp: bool) -> None:
    """Accept mail for INBOUND_ADDRESSES over SMTP (or LMTP) and put it on tickets."""
    from servicedesk.channels.smtp import listen

    run(lambda: listen(host=host, port=port, lmtp=lmtp))


@mail.command("poll")
@click.option("--once", is_flag=True, help="One pass over the mailboxes, then exit.")
def mail_poll(once: bool) -> None:
    """Fetch unseen mail from IMAP_MAILBOXES (IDLE where offered) and put it on tickets."""
    from servicedesk.channels.imap import poll

    count = run(lambda: poll(once=once))
    console.print(f"{count} messages received")


@main.group()
def campaign() -> None:
    """Marketing campaigns."""


@campaign.command("send")
@click.argument("campaign_id", type=int)
def campaign_send(campaign_id: int) -> None:
    """Queue a campaign now: each member of its segment is decided once (a second run only
    adds new members); the worker delivers the emails."""
    from servicedesk.actors import Actor
    from servicedesk.clock import utcnow
    from servicedesk.errors import DomainError
    from servicedesk.marketing import campaigns

    async def send() -> dict[str, int]:
        return await campaigns.send_campaign(
            campaign_id=campaign_id, actor=Actor("system", label="cli"), now=utcnow()
        )

    try:
        counts = run(send)
    except DomainError as exc:
        fail(exc.detail)
        return
    print(json.dumps(counts))


def _add_plugin_commands() -> None:
    from servicedesk.plugins import plugins

    for plugin in plugins():
        for command in plugin.cli_commands:
            main.add_command(command)


_add_plugin_commands()

if __name__ == "__main__":
    main()
