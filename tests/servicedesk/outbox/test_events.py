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
    contact = tickets.Contact(
        channel="email", identity=ContactIdentity(email="ann@mail.example"), body="hello"
    )
    ticket_id, interaction_id = await tickets.receive_contact(contact=contact, now=NOW)
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
        "channel": "email",
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
