"""The acceptance test of the CX contract: import the worked example, compare the reports."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from servicedesk.cx.reports import cx_report, nps_report
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
