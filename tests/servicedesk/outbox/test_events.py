"""Domain events in the outbox: written with the change that emits them, in one statement
just before it commits, and never by a change that rolls back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from servicedesk import writes
from servicedesk.customers.service import ContactIdentity
from servicedesk.db import write_transaction
from servicedesk.outbox import service as outbox
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.outbox.tasks import deliver_due
from servicedesk.tickets import service as tickets
from tests.smtp import SmtpServer

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


async def test_delivered_events_and_webhook_posts_are_pruned_after_the_keep_days(
    smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hourly prune deletes the events and webhook deliveries delivered more than
    OUTBOX_KEEP_DAYS ago, a batch at a time; a recent one, one still pending and every
    email stay."""
    monkeypatch.setattr(writes, "DELETE_BATCH", 2)
    webhook = await outbox.queue_message(
        kind="webhook", topic="old.post", payload={}, ticket_id=None, now=NOW
    )
    # Delivered as the webhook deliverer's worker does: claimed, posted, marked sent.
    assert [row["id"] for row in await outbox.claim_many(outbox_ids=[webhook], now=NOW)] == [
        webhook
    ]
    await outbox.mark_sent(outbox_id=webhook, now=NOW)
    for topic in ("old.one", "old.two"):
        await outbox.emit_event(topic=topic, payload={}, ticket_id=None, now=NOW)
    email = outbox.Email(to="ann@mail.example", subject="Old mail", body="hello")
    await outbox.queue_emails([email], now=NOW)
    # Due only in 60 days: still pending when the prune runs.
    await outbox.emit_event(
        topic="not.delivered", payload={}, ticket_id=None, now=NOW + timedelta(days=60)
    )
    assert await deliver_due(now=NOW) == {"sent": 3}
    assert smtp_server.about("Old mail")
    await outbox.emit_event(
        topic="recent", payload={}, ticket_id=None, now=NOW + timedelta(days=20)
    )
    assert await deliver_due(now=NOW + timedelta(days=20)) == {"sent": 1}

    later = NOW + timedelta(days=31)
    assert await outbox.prune_delivered(now=later, older_than_days=30) == 3
    assert await topics() == ["reply", "not.delivered", "recent"]
    assert await outbox.prune_delivered(now=later, older_than_days=30) == 0
    assert await outbox.prune_delivered(now=later, older_than_days=10) == 1
    assert await topics() == ["reply", "not.delivered"]
