"""`servicedesk report KIND`: the reports of GET /api/reports/KIND as JSON, CSV or a
table in the terminal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from rich.console import Console

from servicedesk.commands import fail, run


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


@click.command()
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
