"""One test per rule of the CX contract (/work/shared/spec/cx-metrics.md), driven through
the ticket services with explicit times and checked on the facts and the cx report."""

from __future__ import annotations

import json
import math
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from servicedesk.accounts import service as accounts
from servicedesk.actors import Actor
from servicedesk.customers.merge import merge_customers
from servicedesk.customers.service import find_customer
from servicedesk.cx import survey_answers
from servicedesk.cx.business_hours import Schedule
from servicedesk.cx.reports import cohort_tickets, wilson
from servicedesk.cx.tables import TicketMetrics
from servicedesk.imports.service import import_file
from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import Ticket
from tests.conftest import make_agent
from tests.servicedesk.cx.conftest import (
    PERIOD_END,
    PERIOD_START,
    T0,
    contact,
    facts_of,
    report,
)

H = timedelta(hours=1)
D = timedelta(days=1)


async def agent(email: str) -> Actor:
    return Actor.agent(await make_agent(email), email)


async def answered_and_solved(
    actor: Actor, at: datetime, *, email: str = "carol@mail.example", channel: str = "email"
) -> int:
    """A ticket the customer opens at `at`, answered once after 1 h, solved after 1.5 h."""
    ticket_id, _ = await tickets.receive_contact(
        contact=contact(channel=channel, email=email), now=at
    )
    await tickets.add_agent_message(
        ticket_id=ticket_id, actor=actor, body="Sorted.", public=True, now=at + H
    )
    await tickets.set_status(ticket_id=ticket_id, status="solved", actor=actor, now=at + 1.5 * H)
    return ticket_id


async def reasons() -> dict[int, str]:
    items = await cohort_tickets(start=PERIOD_START, end=PERIOD_END, filters={})
    return {item["ticket_id"]: item["reason"] for item in items}


# ---------------------------------------------------------------- reopen


async def test_reopens_are_counted_and_a_reopened_ticket_is_not_fcr() -> None:
    alice = await agent("alice@desk.example")
    ticket_id = await answered_and_solved(alice, T0)
    # The customer writes again (reopen 1), then the agent reopens it herself (reopen 2).
    await tickets.receive_contact(
        contact=contact(body="Still late", ticket_id=ticket_id), now=T0 + 3 * H
    )
    await tickets.set_status(ticket_id=ticket_id, status="solved", actor=alice, now=T0 + 4 * H)
    await tickets.set_status(ticket_id=ticket_id, status="open", actor=alice, now=T0 + 5 * H)
    await tickets.set_status(ticket_id=ticket_id, status="solved", actor=alice, now=T0 + 6 * H)

    facts = await facts_of(ticket_id)
    assert (facts["reopens"], facts["solves"]) == (2, 3)
    assert facts["inbound_before_first_solve"] == 1  # the reopening message came after
    row = (await report())["totals"]
    assert row["fcr"] | {"ci95": None, "low_sample": True} == {
        "eligible": 1,
        "count": 0,
        "rate": 0.0,
        "ci95": None,
        "low_sample": True,
    }
    assert row["reopen_rate"] == 1.0
    assert (await reasons())[ticket_id] == "not FCR: reopened 2 time(s)"


async def test_closing_a_solved_ticket_is_not_a_reopen() -> None:
    alice = await agent("alice@desk.example")
    ticket_id = await answered_and_solved(alice, T0)
    await tickets.set_status(ticket_id=ticket_id, status="closed", actor=alice, now=T0 + 5 * D)
    facts = await facts_of(ticket_id)
    assert (facts["reopens"], facts["status"]) == (0, "closed")
    assert (await report())["totals"]["fcr"]["count"] == 1


# ---------------------------------------------------------------- repeat contact


async def test_phone_call_two_days_after_an_email_solve_breaks_fcr() -> None:
    alice = await agent("alice@desk.example")
    first = await answered_and_solved(alice, T0)
    call, _ = await tickets.receive_contact(
        contact=contact(channel="phone", phone="+33 6 12 34 56 78", body="About order 12"),
        now=T0 + 2 * D,
    )
    assert (await facts_of(first))["repeat_contact_ticket"] == call
    assert (await report())["totals"]["fcr"]["count"] == 0
    reason = (await reasons())[first]
    assert reason.startswith("not FCR: repeat contact by phone on 2026-01-07T09:00:00Z")
    assert f"#{call}" in reason


async def test_contact_eight_days_after_the_solve_is_not_a_repeat_contact() -> None:
    alice = await agent("alice@desk.example")
    first = await answered_and_solved(alice, T0)
    await tickets.receive_contact(
        contact=contact(channel="phone", body="New order"), now=T0 + 8 * D
    )
    assert (await facts_of(first))["repeat_contact_ticket"] is None
    assert (await reasons())[first].startswith("FCR:")


async def test_the_repeat_contact_window_is_closed_at_seven_days() -> None:
    alice = await agent("alice@desk.example")
    inside = await answered_and_solved(alice, T0, email="ann@mail.example")
    outside = await answered_and_solved(alice, T0, email="bo@mail.example")
    solved_at = T0 + 1.5 * H
    await tickets.receive_contact(contact=contact(email="ann@mail.example"), now=solved_at + 7 * D)
    await tickets.receive_contact(
        contact=contact(email="bo@mail.example"), now=solved_at + 7 * D + timedelta(seconds=1)
    )
    assert (await facts_of(inside))["repeat_contact_ticket"] is not None
    assert (await facts_of(outside))["repeat_contact_ticket"] is None


async def test_another_customers_contact_is_not_a_repeat_contact() -> None:
    alice = await agent("alice@desk.example")
    first = await answered_and_solved(alice, T0)
    await tickets.receive_contact(contact=contact(email="dan@mail.example"), now=T0 + D)
    assert (await facts_of(first))["repeat_contact_ticket"] is None


async def test_repeat_ticket_applied_before_the_first_solve_is_still_caught() -> None:
    """Out of order, as an import may replay it: the phone ticket of Wednesday is recorded
    while the email ticket is still open; its Monday solve is recorded afterwards."""
    alice = await agent("alice@desk.example")
    first, _ = await tickets.receive_contact(contact=contact(), now=T0)
    await tickets.add_agent_message(
        ticket_id=first, actor=alice, body="Sorted.", public=True, now=T0 + H
    )
    call, _ = await tickets.receive_contact(
        contact=contact(channel="phone", body="About order 12"), now=T0 + 2 * D
    )
    await tickets.set_status(ticket_id=first, status="solved", actor=alice, now=T0 + 1.5 * H)
    assert (await facts_of(first))["repeat_contact_ticket"] == call
    assert "repeat contact by phone" in (await reasons())[first]


async def test_the_repeat_contact_named_is_the_earliest_whatever_the_recording_order() -> None:
    """An import may record Friday's contact before Wednesday's: the drill-down still names
    Wednesday's, as it would have live."""
    alice = await agent("alice@desk.example")
    first = await answered_and_solved(alice, T0)
    friday, _ = await tickets.receive_contact(contact=contact(channel="web"), now=T0 + 4 * D)
    wednesday, _ = await tickets.receive_contact(contact=contact(channel="phone"), now=T0 + 2 * D)
    assert friday != wednesday
    assert (await facts_of(first))["repeat_contact_ticket"] == wednesday
    assert "repeat contact by phone" in (await reasons())[first]


async def test_import_with_the_repeat_ticket_first_in_the_file_catches_it(tmp_path: Path) -> None:
    def at(delta: timedelta) -> str:
        return (T0 + delta).isoformat()

    lines = [
        {"type": "agent", "email": "alice@desk.example"},
        {"type": "customer", "external_id": "c1", "email": "carol@mail.example"},
        {
            "type": "ticket", "external_id": "call", "customer": "c1", "channel": "phone",
            "created_at": at(2 * D),
            "events": [
                {"kind": "message", "direction": "inbound", "channel": "phone", "at": at(2 * D)},
                {"kind": "status", "status": "solved", "by": "alice@desk.example", "at": at(2 * D + H)},
            ],
        },
        {
            "type": "ticket", "external_id": "mail", "customer": "c1", "channel": "email",
            "created_at": at(timedelta()),
            "events": [
                {"kind": "message", "direction": "inbound", "channel": "email", "at": at(timedelta())},
                {"kind": "message", "direction": "outbound", "channel": "email", "at": at(H),
                 "author": "alice@desk.example"},
                {"kind": "status", "status": "solved", "by": "alice@desk.example", "at": at(1.5 * H)},
            ],
        },
    ]  # fmt: skip
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    assert (await import_file(path)).rejected == []
    ids = {
        row["external_id"]: row["id"] for row in await Ticket.select(Ticket.id, Ticket.external_id)
    }
    assert (await facts_of(ids["mail"]))["repeat_contact_ticket"] == ids["call"]
    assert "repeat contact by phone" in (await reasons())[ids["mail"]]


async def test_customer_merge_recomputes_repeat_contacts() -> None:
    """Carol's email and a phone call nobody could tie to her are two customers until a
    merge; then the call is a repeat contact of the email ticket."""
    alice = await agent("alice@desk.example")
    first = await answered_and_solved(alice, T0)
    call, _ = await tickets.receive_contact(
        contact=contact(channel="phone", email=None, phone="+33 6 12 34 56 78"), now=T0 + 2 * D
    )
    assert (await facts_of(first))["repeat_contact_ticket"] is None
    carol = await find_customer(identity=contact().identity)
    caller = await find_customer(identity=contact(email=None, phone="+33612345678").identity)
    assert carol and caller and carol != caller

    await merge_customers(keep_id=caller, other_id=carol, actor=alice, now=T0 + 3 * D)

    assert (await facts_of(first))["repeat_contact_ticket"] == call
    assert (await report())["totals"]["fcr"]["count"] == 0


# ---------------------------------------------------------------- agent of a ticket


async def test_agent_of_a_ticket_is_the_assignee_at_the_last_solve() -> None:
    alice, bob = await agent("alice@desk.example"), await agent("bob@desk.example")
    ticket_id = await answered_and_solved(alice, T0)  # unassigned: the solver takes it
    assert (await facts_of(ticket_id))["agent"] == alice.agent_id
    await tickets.receive_contact(contact=contact(ticket_id=ticket_id), now=T0 + 3 * H)
    await tickets.assign(ticket_id=ticket_id, agent_id=bob.agent_id, actor=alice, now=T0 + 4 * H)
    # Alice clicks "solve" on Bob's ticket: it stays Bob's.
    await tickets.set_status(ticket_id=ticket_id, status="solved", actor=alice, now=T0 + 5 * H)

    assert (await facts_of(ticket_id))["agent"] == bob.agent_id
    rows = (await report(["agent"]))["rows"]
    assert [(r["agent"], r["solved"]) for r in rows] == [("bob@desk.example", 1)]


# ---------------------------------------------------------------- CSAT


async def test_latest_csat_rating_wins() -> None:
    alice = await agent("alice@desk.example")
    ticket_id = await answered_and_solved(alice, T0)
    await survey_answers.record_csat(ticket_id=ticket_id, rating=5, comment=None, now=T0 + 2 * H)
    await survey_answers.record_csat(ticket_id=ticket_id, rating=2, comment="late", now=T0 + 3 * H)

    facts = await facts_of(ticket_id)
    assert (facts["rating"], facts["rating_comment"]) == (2, "late")
    csat = (await report())["totals"]["csat"]
    assert (csat["responses"], csat["satisfied"], csat["score"]) == (1, 0, 0.0)


# ---------------------------------------------------------------- no public reply


async def test_ticket_solved_without_a_public_reply_counts_as_solved_but_not_fcr_eligible() -> None:
    alice = await agent("alice@desk.example")
    spam, _ = await tickets.receive_contact(contact=contact(body="Cheap watches"), now=T0)
    await tickets.add_agent_message(
        ticket_id=spam, actor=alice, body="spam", public=False, now=T0 + H
    )
    await tickets.set_status(ticket_id=spam, status="solved", actor=alice, now=T0 + 2 * H)
    answered = await answered_and_solved(alice, T0 + 10 * D, email="dan@mail.example")

    totals = (await report())["totals"]
    assert totals["solved"] == 2
    assert (totals["fcr"]["eligible"], totals["fcr"]["count"]) == (1, 1)
    found = await reasons()
    assert found[spam] == "not eligible for FCR: solved without a public reply"
    assert found[answered].startswith("FCR:")


# ---------------------------------------------------------------- the spec's worked example


async def test_worked_example_alice_and_bob() -> None:
    alice, bob = await agent("alice@desk.example"), await agent("bob@desk.example")
    monday = T0
    t1, _ = await tickets.receive_contact(contact=contact(), now=monday)
    await tickets.assign(ticket_id=t1, agent_id=alice.agent_id, actor=alice, now=monday)
    await tickets.add_agent_message(
        ticket_id=t1, actor=alice, body="On its way", public=True, now=monday + H
    )
    await tickets.set_status(ticket_id=t1, status="solved", actor=alice, now=monday + 1.5 * H)
    await survey_answers.record_csat(ticket_id=t1, rating=5, comment=None, now=monday + 2 * H)
    wednesday_call = monday + 2 * D + 1.75 * H  # Wed 10:45, answered in the call
    t2, _ = await tickets.receive_contact(
        contact=contact(channel="phone", body="About order 12"), now=wednesday_call
    )
    await tickets.add_agent_message(
        ticket_id=t2, actor=bob, body="(call)", public=True, now=wednesday_call
    )
    await tickets.set_status(ticket_id=t2, status="solved", actor=bob, now=monday + 2 * D + 2 * H)

    t1_facts = await facts_of(t1)
    assert t1_facts["repeat_contact_ticket"] == t2 and t1_facts["full_resolution_minutes"] == 90
    assert (await facts_of(t2))["full_resolution_minutes"] == 15
    rows = {r["agent"]: r for r in (await report(["agent"]))["rows"]}
    alice_row, bob_row = rows["alice@desk.example"], rows["bob@desk.example"]
    assert alice_row["solved"] == 1 and alice_row["avg_resolution_hours"] == 1.5
    assert (alice_row["fcr"]["count"], alice_row["fcr"]["eligible"]) == (0, 1)
    assert alice_row["csat"]["responses"] == 1 and alice_row["csat"]["score"] == 100.0
    assert bob_row["solved"] == 1 and bob_row["avg_resolution_hours"] == 0.25
    assert (bob_row["fcr"]["count"], bob_row["fcr"]["eligible"]) == (1, 1)
    assert bob_row["csat"]["responses"] == 0 and bob_row["csat"]["score"] is None


# ---------------------------------------------------------------- business hours

PARIS = {
    "timezone": "Europe/Paris",
    "hours": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2026-04-06"],  # Easter Monday
}


async def test_business_hours_skip_the_weekend_and_the_holiday() -> None:
    """Friday 16:00 Paris to Tuesday 10:00 and 12:00: one hour on Friday, nothing on the
    weekend or on Easter Monday, then the Tuesday morning."""
    alice = await agent("alice@desk.example")
    team_id = await accounts.get_or_create_team(name="Paris")
    await accounts.update_team(
        team_id=team_id, name=None, schedule=Schedule.from_json(PARIS).to_json()
    )
    friday_4pm = datetime(2026, 4, 3, 14, 0, tzinfo=UTC)  # CEST, UTC+2
    tuesday_10am = datetime(2026, 4, 7, 8, 0, tzinfo=UTC)
    ticket_id, _ = await tickets.receive_contact(contact=contact(), now=friday_4pm)
    await tickets.update_ticket(
        ticket_id=ticket_id, changes={"team_id": team_id}, actor=alice, now=friday_4pm
    )
    await tickets.add_agent_message(
        ticket_id=ticket_id, actor=alice, body="Hello", public=True, now=tuesday_10am
    )
    await tickets.set_status(
        ticket_id=ticket_id, status="solved", actor=alice, now=tuesday_10am + 2 * H
    )

    facts = await facts_of(ticket_id)
    assert facts["first_response_minutes"] == 4 * 24 * 60 - 6 * 60
    assert facts["first_response_business_minutes"] == 60 + 60
    assert facts["full_resolution_minutes"] == 4 * 24 * 60 - 4 * 60
    assert facts["full_resolution_business_minutes"] == 60 + 180


def test_schedule_counts_real_minutes_on_dst_change_days() -> None:
    paris = Schedule.from_json({**PARIS, "hours": {"sun": [["00:00", "12:00"]]}})
    spring = datetime(2026, 3, 29, tzinfo=UTC) - 2 * H  # Sunday, 02:00 -> 03:00
    autumn = datetime(2026, 10, 25, tzinfo=UTC) - 2 * H  # Sunday, 03:00 -> 02:00
    assert paris.business_minutes(spring, spring + D) == 11 * 60
    assert paris.business_minutes(autumn, autumn + D) == 13 * 60


def test_schedule_business_minutes_over_a_weekend_a_holiday_and_a_dst_change() -> None:
    paris = Schedule.from_json(PARIS)
    # Friday 27 March 16:00 CET to Monday 30 March 10:00 CEST: the clocks changed on Sunday.
    friday = datetime(2026, 3, 27, 15, 0, tzinfo=UTC)
    monday = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert paris.business_minutes(friday, monday) == 120
    # Thursday 2 April 16:00 to Tuesday 7 April 10:00 (Easter Monday off): Thu, Fri, Tue.
    thursday = datetime(2026, 4, 2, 14, 0, tzinfo=UTC)
    assert paris.business_minutes(thursday, datetime(2026, 4, 7, 8, 0, tzinfo=UTC)) == 60 + 480 + 60
    assert paris.business_minutes(monday, friday) == 0
    saturday = datetime(2026, 3, 28, 10, 0, tzinfo=UTC)
    assert paris.business_minutes(saturday, saturday + 5 * H) == 0


# ---------------------------------------------------------------- confidence


@pytest.mark.parametrize(
    ("successes", "total", "expected"),
    [
        (3, 3, (0.4385, 1.0)),
        (0, 3, (0.0, 0.5615)),
        (7, 26, (0.137, 0.4608)),  # the spec's sample row: FCR 7/26
        (8, 9, (0.565, 0.9801)),  # and its CSAT 8/9 = [56.5, 98.01] %
        (19, 38, (0.3485, 0.6515)),  # the worked example's totals
    ],
)
def test_wilson_interval_values(successes: int, total: int, expected: tuple[float, float]) -> None:
    interval = wilson(successes, total)
    assert interval is not None
    assert (round(interval[0], 4), round(interval[1], 4)) == expected


def test_wilson_interval_of_nothing_is_none() -> None:
    assert wilson(0, 0) is None


async def test_three_tickets_give_wide_intervals_and_a_low_sample_flag() -> None:
    alice = await agent("alice@desk.example")
    for n in range(3):
        ticket_id = await answered_and_solved(alice, T0 + n * D, email=f"c{n}@mail.example")
        await survey_answers.record_csat(
            ticket_id=ticket_id, rating=5, comment=None, now=T0 + n * D + 2 * H
        )
    row = (await report(["agent"]))["rows"][0]
    assert row["fcr"]["rate"] == 1.0 and row["fcr"]["ci95"] == [0.4385, 1.0]
    assert row["csat"]["score"] == 100.0 and row["csat"]["ci95"] == [43.85, 100.0]
    assert row["low_sample"] is True
    assert row["fcr"]["low_sample"] is True and row["csat"]["low_sample"] is True


async def test_thirty_eligible_tickets_are_no_longer_a_low_sample() -> None:
    alice = await agent("alice@desk.example")
    ids = [
        await answered_and_solved(alice, T0 + n * H, email=f"c{n}@mail.example") for n in range(30)
    ]
    assert (await report())["totals"]["low_sample"] is False
    first_29 = await report(end=T0 + 30 * H)  # the 30th is solved at 30.5 h
    assert first_29["totals"]["solved"] == 29 and first_29["totals"]["low_sample"] is True
    # Each rate is flagged by its own denominator: 30 eligible tickets, one CSAT response.
    await survey_answers.record_csat(ticket_id=ids[0], rating=5, comment=None, now=T0 + 40 * H)
    totals = (await report())["totals"]
    assert totals["fcr"]["low_sample"] is False and totals["csat"]["low_sample"] is True


# ---------------------------------------------------------------- medians and percentiles


async def test_medians_and_p90s_are_those_of_the_facts_to_the_microsecond() -> None:
    """Per agent and in the totals, checked against statistics.quantiles' inclusive method
    (percentile_cont's definition) over the facts as stored: durations with microseconds
    (SQLite sends them as text) and a group without any first response (no reply)."""
    alice, bob = await agent("alice@desk.example"), await agent("bob@desk.example")
    for n in range(7):
        opened = T0 + n * D + timedelta(microseconds=123_457 * n)
        ticket_id, _ = await tickets.receive_contact(
            contact=contact(email=f"a{n}@mail.example"), now=opened
        )
        replied = opened + timedelta(minutes=7 * n + 3, microseconds=999_999 - n)
        await tickets.add_agent_message(
            ticket_id=ticket_id, actor=alice, body="Sorted.", public=True, now=replied
        )
        solved = replied + timedelta(hours=n * n, seconds=n, microseconds=31 * n)
        await tickets.set_status(ticket_id=ticket_id, status="solved", actor=alice, now=solved)
    for n in range(4):
        opened = T0 + n * D + timedelta(microseconds=7 * n + 1)
        ticket_id, _ = await tickets.receive_contact(
            contact=contact(email=f"b{n}@mail.example"), now=opened
        )
        solved = opened + timedelta(minutes=13 ** (n + 1), microseconds=555_555)
        await tickets.set_status(ticket_id=ticket_id, status="solved", actor=bob, now=solved)
    facts = await TicketMetrics.select(
        TicketMetrics.agent.email.as_alias("agent"),
        TicketMetrics.full_resolution_minutes,
        TicketMetrics.first_response_minutes,
    )

    def expected(rows: list[dict[str, Any]]) -> dict[str, float | None]:
        resolution = [r["full_resolution_minutes"] for r in rows]
        first = [r["first_response_minutes"] for r in rows if r["first_response_minutes"]]
        deciles = statistics.quantiles(resolution, n=10, method="inclusive")
        first_deciles = statistics.quantiles(first, n=10, method="inclusive") if first else None
        return {
            "avg_resolution_hours": round(math.fsum(resolution) / len(resolution) / 60, 4),
            "median_resolution_hours": round(deciles[4] / 60, 4),
            "p90_resolution_hours": round(deciles[8] / 60, 4),
            "first_response_median_minutes": round(first_deciles[4], 2) if first_deciles else None,
            "first_response_p90_minutes": round(first_deciles[8], 2) if first_deciles else None,
        }

    result = await report(["agent"])
    rows = {row["agent"]: row for row in result["rows"]}
    for email in ("alice@desk.example", "bob@desk.example"):
        want = expected([f for f in facts if f["agent"] == email])
        assert {key: rows[email][key] for key in want} == want
    want = expected(facts)
    assert {key: result["totals"][key] for key in want} == want
    assert rows["bob@desk.example"]["first_response_median_minutes"] is None
