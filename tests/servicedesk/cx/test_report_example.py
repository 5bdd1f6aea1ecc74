"""The acceptance test of the CX contract: import the worked example, compare the reports."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

import pytest

from servicedesk.cx import cohort
from servicedesk.cx.reports import cx_report, nps_report
from servicedesk.cx.tables import TicketMetrics
from servicedesk.imports.service import import_file
from tests.conftest import FIXTURES, truncate_all

START, END = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)


def assert_matches(actual: Any, expected: Any, path: str = "") -> None:
    """Every key of the expected report is in ours with the same value (extra keys allowed)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            assert_matches(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (
            f"{path}: {actual} != {expected}"
        )
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_matches(a, e, f"{path}[{index}]")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


@pytest.fixture(autouse=True)
async def clean_tables() -> None:
    """These tests only read the example history: it is imported once for the module."""


@pytest.fixture(scope="module")
async def imported(database: None) -> None:
    await truncate_all()
    report = await import_file(FIXTURES / "cx-small.jsonl")
    assert report.rejected == []


@pytest.mark.parametrize(
    ("group_by", "name"),
    [
        ([], "totals"),
        (["agent"], "agent"),
        (["channel"], "channel"),
        (["agent", "channel"], "agent-channel"),
    ],
)
async def test_cx_report_matches_the_worked_example(
    imported: None, group_by: list[str], name: str
) -> None:
    expected = json.loads((FIXTURES / f"cx-small.report-{name}.json").read_text())
    actual = await cx_report(start=START, end=END, group_by=group_by)
    assert_matches(actual, expected)


@pytest.mark.parametrize("group_by", [[], ["agent", "channel"], ["week"], ["team", "day"]])
async def test_the_period_read_in_slices_gives_the_report_read_at_once(
    imported: None, group_by: list[str]
) -> None:
    """Outside a transaction the cohort is read in slices of the period on connections of
    their own and added up; inside one, in one query. Same figures, to the last digit."""
    assert cohort.SLICES > 1 or (os.cpu_count() or 1) == 1
    sliced = await cx_report(start=START, end=END, group_by=group_by)
    async with TicketMetrics._meta.db.transaction():
        at_once = await cx_report(start=START, end=END, group_by=group_by)
    assert sliced == at_once and sliced["totals"]["solved"] > 0


async def test_nps_report_matches_the_worked_example(imported: None) -> None:
    expected = json.loads((FIXTURES / "cx-small.nps.json").read_text())
    assert_matches(await nps_report(start=START, end=END), expected)


async def test_report_api_returns_the_same_json_as_the_service(
    imported: None, lead_client: Any
) -> None:
    response = await lead_client.get(
        "/api/reports/cx",
        params={
            "from": "2026-01-01T00:00:00Z",
            "to": "2026-03-01T00:00:00Z",
            "group_by": "agent,channel",
        },
    )
    assert response.status_code == 200, response.text
    expected = json.loads((FIXTURES / "cx-small.report-agent-channel.json").read_text())
    assert_matches(response.json(), expected)


async def test_report_csv_has_a_row_per_group_and_a_total(imported: None, lead_client: Any) -> None:
    response = await lead_client.get(
        "/api/reports/cx",
        params={
            "from": "2026-01-01T00:00:00Z",
            "to": "2026-03-01T00:00:00Z",
            "group_by": "channel",
            "format": "csv",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("channel,solved,fcr_eligible")
    assert len(lines) == 1 + 5 + 1
    assert lines[-1].startswith("TOTAL,40,38,19,0.5")


async def test_cx_report_of_a_period_without_solves_has_no_rows_and_zero_totals(
    imported: None,
) -> None:
    report = await cx_report(
        start=datetime(2020, 1, 1, tzinfo=UTC),
        end=datetime(2020, 2, 1, tzinfo=UTC),
        group_by=["agent", "channel"],
    )
    assert report["rows"] == []
    assert report["totals"]["solved"] == 0
    assert report["totals"]["median_resolution_hours"] is None
    assert report["volume"] == {"created": 0, "backlog_at_end": 0}


@pytest.mark.parametrize("channel", [None, "email", "phone"])
async def test_volume_counts_tickets_opened_and_still_open_at_the_end(
    imported: None, channel: str | None
) -> None:
    """The backlog is computed from index counts; here it is counted ticket by ticket."""
    end = datetime(2026, 2, 1, tzinfo=UTC)
    facts = await TicketMetrics.select(
        TicketMetrics.channel,
        TicketMetrics.status,
        TicketMetrics.created_at,
        TicketMetrics.last_solved_at,
    )
    mine = [f for f in facts if channel is None or f["channel"] == channel]
    expected_backlog = sum(
        1
        for f in mine
        if f["created_at"] < end
        and not (
            f["status"] in ("solved", "closed")
            and f["last_solved_at"] is not None
            and f["last_solved_at"] < end
        )
    )
    report = await cx_report(start=START, end=end, group_by=[], filters={"channel": channel})
    assert report["volume"] == {
        "created": sum(1 for f in mine if START <= f["created_at"] < end),
        "backlog_at_end": expected_backlog,
    }
    assert expected_backlog > 0
