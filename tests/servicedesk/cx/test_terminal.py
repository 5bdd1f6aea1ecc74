"""`servicedesk report KIND --format table`: tables a person reads at 100 columns (issue 14),
over the worked example's history."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest
from rich.console import Console, RenderableType

from servicedesk.cx import reports, terminal
from servicedesk.errors import Invalid
from servicedesk.imports.service import import_file
from tests.conftest import FIXTURES, truncate_all

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 3, 1, tzinfo=UTC)
PERIOD = ["--from", "2026-01-01T00:00:00Z", "--to", "2026-03-01T00:00:00Z"]


@pytest.fixture(autouse=True)
async def clean_tables() -> None:
    """These tests only read the example history: it is imported once for the module."""


@pytest.fixture(scope="module")
async def imported(database: None) -> None:
    await truncate_all()
    assert (await import_file(FIXTURES / "cx-small.jsonl")).rejected == []


def rendered(table: RenderableType, width: int = 100) -> list[str]:
    console = Console(width=width, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(table)
    return console.export_text().splitlines()


def line_of(lines: list[str], label: str) -> list[str]:
    (line,) = [line for line in lines if line.startswith(label)]
    return line.split()


async def test_default_cx_table_fits_100_columns_with_percents_and_intervals(
    imported: None,
) -> None:
    report = await reports.cx_report(start=START, end=END, group_by=["agent"])
    lines = rendered(terminal.cx_table(report))
    assert max(len(line) for line in lines) <= 100
    assert not any("…" in line for line in lines)
    text = "\n".join(lines)
    for header in ("solved", "FCR", "95 % CI", "CSAT", "avg", "median", "1st resp", "reopen"):
        assert header in text
    # The totals of the worked example: 40 solved, FCR 19/38 = 50 % (Wilson 35–65 %),
    # CSAT 7/19 = 36.8 % (19–59 %), 19.3 h average, 11.4 h median, 12.5 % reopened.
    assert line_of(lines, "TOTAL") == [
        "TOTAL", "40", "50.0", "35–65", "%", "36.8", "19–59", "%", "19.3", "11.4", "396", "12.5",
        "38",
    ]  # fmt: skip
    # Every agent has fewer than 30 FCR-eligible tickets: each row's n is marked.
    agent1 = line_of(lines, "agent1@desk.example")
    assert agent1[0] == "agent1@desk.example" and agent1[-1] == "7*"
    assert "under 30" in text


async def test_two_groups_still_fit_100_columns_without_cut_cells(imported: None) -> None:
    report = await reports.cx_report(start=START, end=END, group_by=["agent", "channel"])
    lines = rendered(terminal.cx_table(report))
    assert max(len(line) for line in lines) <= 100
    assert not any("…" in line for line in lines)
    assert line_of(lines, "agent1@desk.example chat")[:3] == ["agent1@desk.example", "chat", "3"]


async def test_business_hours_table_shows_the_business_durations(imported: None) -> None:
    report = await reports.cx_report(start=START, end=END, group_by=["channel"])
    totals = report["totals"]
    assert totals["avg_resolution_business_hours"] < totals["avg_resolution_hours"]
    calendar = line_of(rendered(terminal.cx_table(report)), "TOTAL")
    business = line_of(rendered(terminal.cx_table(report, business=True)), "TOTAL")
    avg, median, first_response = 8, 9, 10  # after TOTAL, solved, FCR (3), CSAT (3)
    assert calendar[avg] == f"{totals['avg_resolution_hours']:.1f}"
    assert business[avg] == f"{totals['avg_resolution_business_hours']:.1f}"
    assert business[median] == f"{totals['median_resolution_business_hours']:.1f}"
    assert business[first_response] == f"{totals['first_response_median_business_minutes']:.0f}"
    assert business[avg] != calendar[avg]


def test_columns_option_picks_adds_and_refuses_unknown_columns() -> None:
    assert terminal.choose_columns("cx", None) == list(terminal.CX_DEFAULT)
    assert terminal.choose_columns("cx", "solved, p90") == ["solved", "p90"]
    assert terminal.choose_columns("cx", "+p90,+surveys_sent")[-2:] == ["p90", "surveys_sent"]
    with pytest.raises(Invalid) as refused:
        terminal.choose_columns("cx", "solved,fcr_eligble")
    assert refused.value.field == "columns" and "fcr_eligble" in refused.value.detail
    assert terminal.choose_columns("nps", "nps,responses") == ["nps", "responses"]


async def test_nps_ces_and_customers_tables_read_as_figures(imported: None) -> None:
    nps = await reports.nps_report(start=START, end=END)
    lines = rendered(terminal.summary_table("nps", nps))
    assert max(len(line) for line in lines) <= 100
    # The worked example: 270 answers, 105 promoters, 99 passives, 66 detractors.
    assert lines[-1].split() == ["270", "105", "99", "66", f"{nps['nps']:.1f}"]

    customers = await reports.customers_report(start=START, end=END)
    lines = rendered(terminal.summary_table("customers", customers))
    assert max(len(line) for line in lines) <= 100
    mix = {row["channel"]: row for row in customers["channel_mix"]}
    assert line_of(lines, "chat ") == ["chat", "19", f"{100 * mix['chat']['share']:.1f}"]

    ces = await reports.ces_report(start=START, end=END)
    lines = rendered(terminal.summary_table("ces", ces, ["responses", "mean"]))
    assert line_of(lines, "TOTAL") == ["TOTAL", str(ces["responses"]), "–"]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
    )


async def test_cli_prints_the_table_and_refuses_an_unknown_column(imported: None) -> None:
    table = cli("report", "cx", *PERIOD, "--group-by", "team", "--format", "table")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert line_of(lines, "TOTAL")[:3] == ["TOTAL", "40", "50.0"]
    business = cli(
        *("report", "cx", *PERIOD, "--format", "table", "--business-hours", "--columns", "avg")
    )
    assert "business hours" in business.stdout
    report = await reports.cx_report(start=START, end=END, group_by=[])
    assert business.stdout.split()[-1] == f"{report['totals']['avg_resolution_business_hours']:.1f}"
    refused = cli("report", "cx", *PERIOD, "--format", "table", "--columns", "bogus")
    assert refused.returncode == 1 and "unknown column bogus" in refused.stderr


def test_cells_of_a_row_without_figures_are_dashes() -> None:
    empty: dict[str, Any] = {
        "solved": 0,
        "fcr": {"rate": None, "ci95": None, "eligible": 0, "count": 0},
        "csat": {"score": None, "ci95": None, "responses": 0},
        "avg_resolution_hours": None,
        "median_resolution_hours": None,
        "first_response_median_minutes": None,
        "reopen_rate": None,
        "low_sample": True,
    }
    cells = [terminal.CX_COLUMNS[name].cell(empty, False) for name in terminal.CX_DEFAULT]
    assert cells == ["0", "–", "–", "–", "–", "–", "–", "–", "–", "0*"]
