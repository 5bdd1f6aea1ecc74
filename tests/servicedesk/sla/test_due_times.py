"""SLA due times are ticket facts: computed by the ticket services with every change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from servicedesk.actors import SYSTEM, Actor
from servicedesk.sla.clock import Clock
from servicedesk.tickets import service as tickets
from tests.conftest import make_agent
from tests.servicedesk.sla.conftest import (
    FRIDAY_4PM,
    MONDAY_9AM,
    contact,
    make_policy,
    office_team,
    sla_of,
)

M, H = timedelta(minutes=1), timedelta(hours=1)


async def _alice() -> Actor:
    return Actor.agent(await make_agent("alice@desk.example"), "alice@desk.example")


async def _reply(ticket_id: int, at: datetime) -> None:
    await tickets.add_agent_message(
        ticket_id=ticket_id, actor=await _alice(), body="On it", public=True, now=at
    )


async def _write(ticket_id: int, at: datetime) -> None:
    await tickets.receive_contact(contact=contact(ticket_id=ticket_id), now=at)


async def test_calendar_targets_run_through_the_weekend() -> None:
    await make_policy(targets={"normal": {"first_response": 60, "resolution": 480}})
    ticket_id, _ = await tickets.receive_contact(contact=contact(), now=FRIDAY_4PM)
    facts = await sla_of(ticket_id)
    assert facts["sla_target"] == "first_response"
    assert facts["sla_due_at"] == datetime(2026, 1, 9, 17, 0, tzinfo=UTC)
    clock = Clock.from_json(facts["sla_clock"])
    assert clock.targets["resolution"].due == datetime(2026, 1, 10, 0, 0, tzinfo=UTC)


async def test_business_hours_skip_the_weekend_and_the_team_policy_wins() -> None:
    team_id = await office_team()
    await make_policy(name="Everyone", targets={"normal": {"first_response": 60}})
    team_policy = await make_policy(
        name="Support hours",
        team_id=team_id,
        business_hours=True,
        targets={"normal": {"first_response": 120, "resolution": 600}},
    )
    ticket_id, _ = await tickets.receive_contact(contact=contact(), now=FRIDAY_4PM)
    assert (await sla_of(ticket_id))["sla_due_at"] == FRIDAY_4PM + H  # calendar, no team yet
    await tickets.update_ticket(
        ticket_id=ticket_id, changes={"team_id": team_id}, actor=SYSTEM, now=FRIDAY_4PM
    )
    facts = await sla_of(ticket_id)
    assert facts["sla_policy"] == team_policy
    # 60 working minutes on Friday, the other 60 on Monday from 09:00.
    assert facts["sla_due_at"] == datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
    clock = Clock.from_json(facts["sla_clock"])
    # 600 = 60 (Fri) + 480 (Mon) + 60 (Tue).
    assert clock.targets["resolution"].due == datetime(2026, 1, 13, 10, 0, tzinfo=UTC)


async def test_a_priority_change_keeps_the_minutes_used() -> None:
    await make_policy(
        targets={"normal": {"resolution": 480}, "urgent": {"resolution": 120}},
    )
    ticket_id, _ = await tickets.receive_contact(contact=contact(), now=MONDAY_9AM)
    await tickets.update_ticket(
        ticket_id=ticket_id, changes={"priority": "urgent"}, actor=SYSTEM, now=MONDAY_9AM + H
    )
    facts = await sla_of(ticket_id)
    assert (facts["sla_target"], facts["sla_due_at"]) == ("resolution", MONDAY_9AM + 2 * H)


async def test_the_clock_pauses_while_pending() -> None:
    await make_policy(
        targets={"normal": {"first_response": 60, "next_reply": 60, "resolution": 240}}
    )
    ticket_id, _ = await tickets.receive_contact(contact=contact(), now=MONDAY_9AM)
    await _reply(ticket_id, MONDAY_9AM + 30 * M)
    await tickets.set_status(
        ticket_id=ticket_id, status="pending", actor=await _alice(), now=MONDAY_9AM + 30 * M
    )
    facts = await sla_of(ticket_id)
    assert (facts["sla_target"], facts["sla_due_at"]) == ("resolution", None)  # paused
    assert facts["sla_first_response_met"] == 1
    summary = (await tickets.list_tickets(filters=tickets.TicketFilter()))[0]
    assert summary["sla_target"] == "resolution" and summary["sla_due_at"] is None

    await _write(ticket_id, MONDAY_9AM + 3.5 * H)  # back to open after 3 h pending
    clock = Clock.from_json((await sla_of(ticket_id))["sla_clock"])
    # 240 minutes, of which 30 were used before the pause: due 3 h later than without it.
    assert clock.targets["resolution"].due == MONDAY_9AM + 7 * H
    assert clock.targets["next_reply"].due == MONDAY_9AM + 4.5 * H


async def test_each_customer_message_after_a_reply_starts_a_next_reply_target() -> None:
    await make_policy()  # first response 60, next reply 60, resolution 480 (calendar)
    ticket_id, _ = await tickets.receive_contact(contact=contact(), now=MONDAY_9AM)
    assert (await sla_of(ticket_id))["sla_target"] == "first_response"
    await _reply(ticket_id, MONDAY_9AM + 10 * M)
    assert (await sla_of(ticket_id))["sla_target"] == "resolution"

    await _write(ticket_id, MONDAY_9AM + 1 * H)
    await _write(ticket_id, MONDAY_9AM + 1.5 * H)  # still measured from the oldest one
    facts = await sla_of(ticket_id)
    assert (facts["sla_target"], facts["sla_due_at"]) == ("next_reply", MONDAY_9AM + 2 * H)
    await _reply(ticket_id, MONDAY_9AM + 1.75 * H)  # in time

    await _write(ticket_id, MONDAY_9AM + 3 * H)
    assert (await sla_of(ticket_id))["sla_due_at"] == MONDAY_9AM + 4 * H
    await _reply(ticket_id, MONDAY_9AM + 4.5 * H)  # late

    facts = await sla_of(ticket_id)
    assert facts["sla_first_response_met"] == 1 and facts["sla_first_response_missed"] == 0
    assert facts["sla_next_reply_met"] == 1 and facts["sla_next_reply_missed"] == 1
    assert (facts["sla_target"], facts["sla_due_at"]) == ("resolution", MONDAY_9AM + 8 * H)


async def test_a_solve_counts_the_resolution_and_a_later_solve_replaces_it() -> None:
    await make_policy(targets={"normal": {"resolution": 480}})
    alice = await _alice()
    ticket_id, _ = await tickets.receive_contact(contact=contact(), now=MONDAY_9AM)
    await tickets.set_status(ticket_id=ticket_id, status="solved", actor=alice, now=MONDAY_9AM + H)
    facts = await sla_of(ticket_id)
    assert (facts["sla_resolution_met"], facts["sla_resolution_missed"]) == (1, 0)
    assert facts["sla_target"] is None and facts["sla_check_at"] is None

    await _write(ticket_id, MONDAY_9AM + 9 * H)  # reopened: 420 minutes left, due 16:00+...
    assert (await sla_of(ticket_id))["sla_due_at"] == MONDAY_9AM + 16 * H
    await tickets.set_status(
        ticket_id=ticket_id, status="solved", actor=alice, now=MONDAY_9AM + 17 * H
    )
    facts = await sla_of(ticket_id)
    assert (facts["sla_resolution_met"], facts["sla_resolution_missed"]) == (0, 1)


async def test_tickets_without_a_matching_policy_have_no_sla() -> None:
    await make_policy(channel="chat")
    ticket_id, _ = await tickets.receive_contact(contact=contact(channel="email"), now=MONDAY_9AM)
    facts = await sla_of(ticket_id)
    assert facts["sla_policy"] is None and facts["sla_target"] is None
    await _reply(ticket_id, MONDAY_9AM + H)
    assert (await sla_of(ticket_id))["sla_first_response_met"] == 0
