"""Business-hours figures of the cx report (issue 14), checked against durations worked out
by hand for a Paris team: across a weekend with the spring DST change, across Easter
Monday (a holiday), and within one working morning. Runs on the engine of DATABASE_URL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from servicedesk.accounts import service as accounts
from servicedesk.actors import Actor
from servicedesk.cx.business_hours import Schedule
from servicedesk.cx.reports import cohort_tickets
from servicedesk.tickets import service as tickets
from tests.conftest import make_agent
from tests.servicedesk.cx.conftest import contact, facts_of, report

PARIS = {
    "timezone": "Europe/Paris",
    "hours": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2026-04-06"],  # Easter Monday
}
START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 5, 1, tzinfo=UTC)
MIN = timedelta(minutes=1)

# (opened, first reply, solved) in UTC, and the business minutes to the reply and to the solve.
CASES = [
    # Fri 27 Mar 16:00 CET -> Mon 30 Mar 10:00 / 11:00 CEST; the clocks went forward on Sunday.
    # Business: Fri 16-17 (60) + Mon 09-10 (60) = 120; to 11:00: 60 + 120 = 180.
    (datetime(2026, 3, 27, 15, 0, tzinfo=UTC), datetime(2026, 3, 30, 8, 0, tzinfo=UTC), 120,
     datetime(2026, 3, 30, 9, 0, tzinfo=UTC), 180),
    # Thu 2 Apr 16:00 CEST -> Tue 7 Apr 10:00 / 12:00 CEST, Easter Monday off.
    # Business: Thu 60 + Fri 480 + Tue 60 = 600; to 12:00: 60 + 480 + 180 = 720.
    (datetime(2026, 4, 2, 14, 0, tzinfo=UTC), datetime(2026, 4, 7, 8, 0, tzinfo=UTC), 600,
     datetime(2026, 4, 7, 10, 0, tzinfo=UTC), 720),
    # Wed 8 Apr 09:00 -> 09:30 / 11:00 CEST: all inside the day, business = calendar.
    (datetime(2026, 4, 8, 7, 0, tzinfo=UTC), datetime(2026, 4, 8, 7, 30, tzinfo=UTC), 30,
     datetime(2026, 4, 8, 9, 0, tzinfo=UTC), 120),
]  # fmt: skip


async def _paris_tickets() -> list[int]:
    alice = Actor.agent(await make_agent("alice@desk.example"), "alice@desk.example")
    team_id = await accounts.get_or_create_team(name="Paris")
    await accounts.update_team(
        team_id=team_id, name=None, schedule=Schedule.from_json(PARIS).to_json()
    )
    ids = []
    for n, (opened, replied, _, solved, _) in enumerate(CASES):
        ticket_id, _ = await tickets.receive_contact(
            contact=contact(email=f"c{n}@mail.example"), now=opened
        )
        await tickets.update_ticket(
            ticket_id=ticket_id, changes={"team_id": team_id}, actor=alice, now=opened
        )
        await tickets.add_agent_message(
            ticket_id=ticket_id, actor=alice, body="Done.", public=True, now=replied
        )
        await tickets.set_status(ticket_id=ticket_id, status="solved", actor=alice, now=solved)
        ids.append(ticket_id)
    return ids


@pytest.fixture
async def paris() -> list[int]:
    return await _paris_tickets()


async def test_facts_hold_the_hand_computed_business_minutes(paris: list[int]) -> None:
    for ticket_id, (_, _, first_response, _, resolution) in zip(paris, CASES, strict=True):
        facts = await facts_of(ticket_id)
        assert facts["first_response_business_minutes"] == first_response
        assert facts["full_resolution_business_minutes"] == resolution


def assert_business_figures(row: dict[str, Any]) -> None:
    # Resolution, business: 120, 180, 720 minutes. Mean 340 min; median 180; p90 at rank
    # 1.8 of 0..2: 180 + 0.8 * 540 = 612 min.
    assert row["avg_resolution_business_hours"] == round(340 / 60, 4) == 5.6667
    assert row["median_resolution_business_hours"] == 3.0
    assert row["p90_resolution_business_hours"] == 10.2
    # First response, business: 30, 120, 600 minutes: median 120; p90 120 + 0.8 * 480 = 504.
    assert row["first_response_median_business_minutes"] == 120.0
    assert row["first_response_p90_business_minutes"] == 504.0
    # Calendar beside it: resolution 120, 66 h, 116 h; first response 30, 65 h, 114 h.
    assert row["avg_resolution_hours"] == round((2 + 66 + 116) / 3, 4) == 61.3333
    assert row["median_resolution_hours"] == 66.0
    assert row["p90_resolution_hours"] == 66 + 0.8 * 50 == 106.0
    assert row["first_response_median_minutes"] == 65 * 60
    assert row["first_response_p90_minutes"] == 65 * 60 + 0.8 * (114 - 65) * 60


async def test_report_gives_business_figures_beside_calendar_ones(paris: list[int]) -> None:
    result = await report(["team"], start=START, end=END)
    (row,) = result["rows"]
    assert row["team"] == "Paris" and row["solved"] == 3
    assert_business_figures(row)
    assert_business_figures(result["totals"])


async def test_business_figures_of_a_group_without_tickets_are_null() -> None:
    totals = (await report([], start=START, end=END))["totals"]
    assert totals["solved"] == 0
    assert totals["avg_resolution_business_hours"] is None
    assert totals["median_resolution_business_hours"] is None
    assert totals["first_response_p90_business_minutes"] is None


async def test_api_trend_csv_and_drill_down_carry_business_hours(
    paris: list[int], lead_client: Any
) -> None:
    period = {"from": "2026-03-01T00:00:00Z", "to": "2026-05-01T00:00:00Z"}
    cx = (await lead_client.get("/api/reports/cx", params={**period, "group_by": "team"})).json()
    assert_business_figures(cx["rows"][0])

    trend = await lead_client.get("/api/reports/cx/trend", params={**period, "interval": "month"})
    points = {p["period_start"]: p for p in trend.json()["points"]}
    # March: only the weekend ticket (solved Mon 30 Mar); April: the other two.
    assert points["2026-03"]["avg_resolution_business_hours"] == 3.0
    assert points["2026-04"]["avg_resolution_business_hours"] == round((720 + 120) / 120, 4)
    assert points["2026-04"]["first_response_median_business_minutes"] == (600 + 30) / 2

    response = await lead_client.get(
        "/api/reports/cx", params={**period, "group_by": "team", "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["team"] == "Paris"
    assert float(rows[0]["median_resolution_business_hours"]) == 3.0
    assert float(rows[0]["first_response_p90_business_minutes"]) == 504.0
    assert float(rows[0]["median_resolution_hours"]) == 66.0

    drill = await lead_client.get("/api/reports/cx/tickets", params=period)
    hours = {i["ticket_id"]: i["resolution_business_hours"] for i in drill.json()["items"]}
    assert hours == {paris[0]: 3.0, paris[1]: 12.0, paris[2]: 2.0}
    drill_csv = await lead_client.get("/api/reports/cx/tickets", params={**period, "format": "csv"})
    assert "resolution_business_hours" in drill_csv.text.splitlines()[0]


async def test_drill_down_lists_business_and_calendar_hours(paris: list[int]) -> None:
    items = await cohort_tickets(start=START, end=END, filters={"team": "Paris"})
    by_id = {i["ticket_id"]: i for i in items}
    assert by_id[paris[1]]["resolution_hours"] == 116.0
    assert by_id[paris[1]]["resolution_business_hours"] == 12.0
