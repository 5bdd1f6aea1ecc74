"""The periodic check raises `sla.breached` once per ticket and target."""

from __future__ import annotations

import json
from datetime import timedelta

from servicedesk.actors import Actor
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.sla import service as sla
from servicedesk.tickets import service as tickets
from tests.conftest import app_client, make_agent, sign_in
from tests.servicedesk.sla.conftest import MONDAY_9AM, contact, make_policy

M, H = timedelta(minutes=1), timedelta(hours=1)


async def _breaches() -> list[dict]:
    rows = (
        await OutboxMessage.select(OutboxMessage.payload, OutboxMessage.ticket)
        .where(OutboxMessage.topic == "sla.breached")
        .order_by(OutboxMessage.id)
    )
    return [json.loads(row["payload"]) for row in rows]


async def test_a_breach_is_raised_once_per_ticket_and_target() -> None:
    policy_id = await make_policy()  # first response 60, next reply 60, resolution 480
    ticket_id, _ = await tickets.receive_contact(contact=contact(), now=MONDAY_9AM)

    assert await sla.check_breaches(now=MONDAY_9AM + 59 * M) == 0
    assert await sla.check_breaches(now=MONDAY_9AM + 61 * M) == 1
    assert await sla.check_breaches(now=MONDAY_9AM + 62 * M) == 0
    assert await _breaches() == [
        {
            "ticket_id": ticket_id,
            "target": "first_response",
            "due_at": "2026-01-05T10:00:00Z",
            "policy_id": policy_id,
        }
    ]

    alice = Actor.agent(await make_agent("alice@desk.example"), "alice@desk.example")
    await tickets.add_agent_message(
        ticket_id=ticket_id, actor=alice, body="Sorry!", public=True, now=MONDAY_9AM + 90 * M
    )
    await tickets.receive_contact(contact=contact(ticket_id=ticket_id), now=MONDAY_9AM + 2 * H)
    assert await sla.check_breaches(now=MONDAY_9AM + 3 * H + M) == 1  # the next reply
    assert await sla.check_breaches(now=MONDAY_9AM + 8 * H + M) == 1  # the resolution
    assert await sla.check_breaches(now=MONDAY_9AM + 24 * H) == 0
    assert [(b["target"], b["due_at"]) for b in await _breaches()] == [
        ("first_response", "2026-01-05T10:00:00Z"),
        ("next_reply", "2026-01-05T12:00:00Z"),
        ("resolution", "2026-01-05T17:00:00Z"),
    ]


async def test_a_paused_ticket_does_not_breach_and_a_met_target_is_not_raised() -> None:
    await make_policy(targets={"normal": {"first_response": 60, "resolution": 120}})
    alice = Actor.agent(await make_agent("alice@desk.example"), "alice@desk.example")
    ticket_id, _ = await tickets.receive_contact(contact=contact(), now=MONDAY_9AM)
    await tickets.add_agent_message(
        ticket_id=ticket_id, actor=alice, body="Which order?", public=True, now=MONDAY_9AM + M
    )
    await tickets.set_status(ticket_id=ticket_id, status="pending", actor=alice, now=MONDAY_9AM + M)
    assert await sla.check_breaches(now=MONDAY_9AM + 5 * H) == 0
    assert await _breaches() == []


async def test_tickets_show_their_sla_state() -> None:
    await make_policy()
    ticket_id, _ = await tickets.receive_contact(contact=contact(), now=MONDAY_9AM)
    await make_agent("alice@desk.example")
    async with app_client() as client:
        await sign_in(client, "alice@desk.example")
        listed = (await client.get("/api/tickets")).json()["items"][0]
        # MONDAY_9AM is in the past: the first response is breached by now.
        assert listed["sla"] == {
            "target": "first_response",
            "due_at": "2026-01-05T10:00:00Z",
            "breached": True,
            "paused": False,
        }
        detail = (await client.get(f"/api/tickets/{ticket_id}")).json()
        assert detail["sla"] == listed["sla"]
        breaching = (await client.get("/api/tickets/breaching?within_hours=2")).json()
        assert [t["id"] for t in breaching["items"]] == [ticket_id]


def test_the_worker_checks_every_minute() -> None:
    from datetime import datetime

    from servicedesk.tasks import check_sla_breaches

    task = check_sla_breaches.task_class()
    minutes = [datetime(2026, 1, 5, 9, m) for m in range(0, 60, 7)]
    assert all(task.validate_datetime(m) for m in minutes)
    assert check_sla_breaches.huey is not None
