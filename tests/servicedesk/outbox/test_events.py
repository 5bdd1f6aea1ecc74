"""Domain events in the outbox: written with the change that emits them, in one statement
just before it commits, and never by a change that rolls back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from servicedesk.customers.service import ContactIdentity
from servicedesk.db import write_transaction
from servicedesk.outbox import service as outbox
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.tickets import service as tickets

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def topics(ticket_id: int | None = None) -> list[str]:
    query = OutboxMessage.select(OutboxMessage.topic).order_by(OutboxMessage.id)
    if ticket_id is not None:
        query = query.where(OutboxMessage.ticket == ticket_id)
    return [row["topic"] for row in await query]


async def test_a_contacts_events_are_written_with_it_in_the_order_emitted() -> None:
    identity = ContactIdentity(email="ann@mail.example")
    contact = tickets.Contact(channel="email", identity=identity, body="hello")
    ticket_id, _ = await tickets.receive_contact(contact=contact, now=NOW)
    # The message that opens a ticket raises no message.received; the next one does.
    assert await topics(ticket_id) == ["ticket.created"]
    again = tickets.Contact(
        channel="chat", identity=identity, body="more", thread=tickets.ThreadRef(ticket_id)
    )
    _, interaction_id = await tickets.receive_contact(contact=again, now=NOW)
    assert await topics(ticket_id) == ["ticket.created", "message.received"]
    received = (
        await OutboxMessage.select()
        .where(OutboxMessage.topic == "message.received")
        .output(load_json=True)
        .first()
    )
    assert received is not None
    assert received["payload"] == {
        "ticket_id": ticket_id,
        "interaction_id": interaction_id,
        "channel": "chat",
    }
    assert received["kind"] == "event" and received["status"] == "pending"
    assert received["not_before"] == NOW


async def test_a_change_that_rolls_back_leaves_no_events_and_the_next_only_its_own() -> None:
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await outbox.emit_event(topic="lost.one", payload={}, ticket_id=None, now=NOW)
            raise RuntimeError("the change fails after emitting")
    async with write_transaction():
        await outbox.emit_event(topic="kept.one", payload={}, ticket_id=None, now=NOW)
        await outbox.emit_event(topic="kept.two", payload={}, ticket_id=None, now=NOW)
    assert await topics() == ["kept.one", "kept.two"]


async def test_an_event_outside_a_transaction_is_written_at_once() -> None:
    await outbox.emit_event(topic="alone", payload={"n": 1}, ticket_id=None, now=NOW)
    assert await topics() == ["alone"]


async def payload_of(topic: str) -> dict:
    row = (
        await OutboxMessage.select(OutboxMessage.payload)
        .where(OutboxMessage.topic == topic)
        .order_by(OutboxMessage.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    assert row is not None, f"no {topic} event"
    return dict(row["payload"])


async def test_a_new_customer_and_an_agents_change_raise_their_events() -> None:
    from servicedesk.actors import Actor
    from tests.conftest import make_agent

    contact = tickets.Contact(
        channel="web", identity=ContactIdentity(email="bo@mail.example"), body="hi"
    )
    ticket_id, _ = await tickets.receive_contact(contact=contact, now=NOW)
    assert (await payload_of("customer.created"))["customer_id"] > 0
    agent_id = await make_agent("eve@desk.example")
    await tickets.update_ticket(
        ticket_id=ticket_id,
        changes={"priority": "urgent", "add_tags": ["refund"], "assignee_id": agent_id},
        actor=Actor.agent(agent_id),
        now=NOW,
    )
    changes = (await payload_of("ticket.updated"))["changes"]
    assert changes == {
        "priority": ["normal", "urgent"],
        "assignee": [None, agent_id],
        "tags": [[], ["refund"]],
    }
    await tickets.set_status(
        ticket_id=ticket_id, status="pending", actor=Actor.agent(agent_id), now=NOW
    )
    assert (await payload_of("ticket.updated"))["changes"] == {"status": ["new", "pending"]}
    await tickets.add_agent_message(
        ticket_id=ticket_id, actor=Actor.agent(agent_id), body="done", public=True, now=NOW
    )
    assert "reply.sent" in await topics(ticket_id)


async def test_events_emitted_under_a_cause_carry_it() -> None:
    with outbox.caused_by(rule_id=3, depth=2):
        await outbox.emit_event(topic="caused", payload={"n": 1}, ticket_id=None, now=NOW)
    await outbox.emit_event(topic="plain", payload={"n": 2}, ticket_id=None, now=NOW)
    assert await payload_of("caused") == {"n": 1, "cause": {"rule_id": 3, "depth": 2}}
    assert await payload_of("plain") == {"n": 2}
