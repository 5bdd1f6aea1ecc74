"""Time rules: once per ticket, again only after their own nullifying condition flipped."""

from __future__ import annotations

from datetime import timedelta

from automation.rules.timerules import tick
from servicedesk.actors import Actor
from servicedesk.clock import utcnow
from servicedesk.tickets import service as tickets

from .helpers import contact, rule, run_log


async def test_a_time_rule_without_a_nullifying_condition_fires_once_per_ticket() -> None:
    created = await rule(
        name="note old tickets",
        trigger={"every": "minute"},
        conditions={"all": [{"field": "ticket.hours_since_created", "op": "gte", "value": 2}]},
        actions=[{"type": "note", "body": "Still open after 2 hours"}],
    )
    ticket_id = await contact()
    now = utcnow()
    assert (await tick(now=now))["fired"] == 0
    assert (await tick(now=now + timedelta(hours=3)))["fired"] == 1
    assert (await tick(now=now + timedelta(hours=4)))["fired"] == 0
    runs = await run_log(created["id"])
    assert [(r["ticket_id"], r["event"], r["event_id"]) for r in runs] == [
        (ticket_id, "time", None)
    ]


async def test_a_time_rule_fires_again_only_after_its_nullifying_condition_flips() -> None:
    created = await rule(
        name="nudge",
        trigger={"every": "minute"},
        conditions={"all": [{"field": "ticket.tags", "op": "not_contains", "value": "nudged"}]},
        actions=[{"type": "add_tags", "value": ["nudged"]}],
    )
    ticket_id = await contact()
    now = utcnow()
    assert (await tick(now=now))["fired"] == 1
    assert (await tick(now=now))["fired"] == 0
    await tickets.update_ticket(
        ticket_id=ticket_id, changes={"remove_tags": ["nudged"]}, actor=Actor("system")
    )
    # The pass that sees the condition hold again fires again (it was re-armed when the
    # tag was there, i.e. the condition false, on the second pass).
    assert (await tick(now=now))["fired"] == 1
    assert len(await run_log(created["id"])) == 2
    closed = await contact(email="zed@mail.example")
    assert (await tick(now=now))["fired"] == 1
    assert closed in [r["ticket_id"] for r in await run_log(created["id"])]
