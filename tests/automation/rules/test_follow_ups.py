"""Follow-up emails cancelled by the customer (whenever their message is consumed: before
the follow-up is due, in the same batch as the event that scheduled it, or still queued
when it falls due), and the rule emails skipped for robots and complaining customers;
emails counted at a real SMTP server."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from automation.rules import runner
from servicedesk.actors import Actor
from servicedesk.channels.flags import AUTOMATED_TAG
from servicedesk.clock import utcnow
from servicedesk.marketing import service as marketing
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.outbox.tasks import deliver_due
from servicedesk.tickets import service as tickets
from tests.smtp import SmtpServer

from .helpers import contact, desk_team, rule, work, worked_ticket

SUBJECT = "Did that help?"


async def follow_up_rule() -> None:
    await rule(
        name="check in",
        trigger={"events": ["ticket.solved"]},
        actions=[{"type": "follow_up", "after_hours": 2, "subject": SUBJECT, "body": "Hi"}],
    )


async def follow_up_status() -> list[str]:
    rows = await OutboxMessage.select(OutboxMessage.status).where(
        OutboxMessage.topic == "follow_up"
    )
    return [row["status"] for row in rows]


async def test_a_follow_up_is_sent_when_due_if_the_customer_stays_quiet(
    smtp_server: SmtpServer,
) -> None:
    people = await desk_team()
    await follow_up_rule()
    await worked_ticket(people, status="solved")
    await work()
    assert await follow_up_status() == ["pending"]
    await work(utcnow() + timedelta(hours=1))
    assert smtp_server.about(SUBJECT) == []
    await work(utcnow() + timedelta(hours=3))
    assert len(smtp_server.about(SUBJECT)) == 1
    assert await follow_up_status() == ["sent"]


async def test_a_customer_message_consumed_before_the_follow_up_is_due_cancels_it(
    smtp_server: SmtpServer,
) -> None:
    people = await desk_team()
    await follow_up_rule()
    ticket_id = await worked_ticket(people, status="solved")
    await work()
    await contact(body="Still broken", ticket_id=ticket_id)
    await work()
    assert await follow_up_status() == ["cancelled"]
    await work(utcnow() + timedelta(hours=3))
    assert smtp_server.about(SUBJECT) == []


async def test_a_message_in_the_same_batch_as_the_solve_cancels_the_follow_up_it_scheduled(
    smtp_server: SmtpServer,
) -> None:
    """The solve and the customer's answer are consumed in one batch: the rule on the solve
    schedules the follow-up after the batch's cancel ran, the answer cancels it again."""
    people = await desk_team()
    await follow_up_rule()
    ticket_id = await worked_ticket(people, status="solved")
    await contact(body="Still broken", ticket_id=ticket_id)
    await work()
    assert await follow_up_status() == ["cancelled"]
    await work(utcnow() + timedelta(hours=3))
    assert smtp_server.about(SUBJECT) == []


async def test_a_follow_up_due_while_the_customer_message_is_still_queued_is_not_sent(
    smtp_server: SmtpServer,
) -> None:
    people = await desk_team()
    await follow_up_rule()
    ticket_id = await worked_ticket(people, status="solved")
    await work()
    await contact(body="Still broken", ticket_id=ticket_id)
    # Only the follow-up is delivered: the message's event is still in the queue.
    follow_up = await OutboxMessage.select(OutboxMessage.id).where(
        OutboxMessage.topic == "follow_up"
    )
    from servicedesk.outbox.tasks import deliver

    assert await deliver(follow_up[0]["id"], now=utcnow() + timedelta(hours=3)) == "cancelled"
    assert smtp_server.about(SUBJECT) == []
    row = await OutboxMessage.select().where(OutboxMessage.topic == "follow_up").first()
    assert row is not None and "customer wrote" in row["last_error"]


async def test_a_reopen_after_the_follow_up_was_scheduled_stops_it_at_delivery(
    smtp_server: SmtpServer,
) -> None:
    people = await desk_team()
    await follow_up_rule()
    ticket_id = await worked_ticket(people, status="solved")
    await work()
    alice = Actor.agent(people["alice"], "alice@desk.example")
    await tickets.update_ticket(ticket_id=ticket_id, changes={"status": "open"}, actor=alice)
    await deliver_due(now=utcnow() + timedelta(hours=3))
    assert smtp_server.about(SUBJECT) == []
    assert await follow_up_status() == ["cancelled"]


async def welcome_rule() -> None:
    await rule(
        name="welcome",
        trigger={"events": ["ticket.created", "message.received"]},
        actions=[
            {"type": "add_tags", "value": ["welcomed"]},
            {"type": "email_customer", "subject": "We got it", "body": "Hello"},
        ],
    )


async def test_no_rule_email_to_a_ticket_a_machine_wrote_but_the_rule_still_applies(
    smtp_server: SmtpServer,
) -> None:
    """A ticket email-in flagged as an automated sender (auto-reply, list): no email back,
    which could loop with an auto-responder; the rule's other actions apply."""
    await rule(
        name="robots",
        position=0,
        actions=[{"type": "add_tags", "value": [AUTOMATED_TAG]}],
    )
    await rule(
        name="welcome",
        position=1,
        actions=[
            {"type": "add_tags", "value": ["welcomed"]},
            {"type": "email_customer", "subject": "We got it", "body": "Hello"},
        ],
    )
    ticket_id = await contact(subject="Out of office")
    await work()
    assert (await tickets.get_ticket(ticket_id=ticket_id))["tags"] == [AUTOMATED_TAG, "welcomed"]
    assert smtp_server.about("We got it") == []


async def test_no_rule_email_to_a_customer_who_complained_but_one_who_unsubscribed_gets_it(
    smtp_server: SmtpServer,
) -> None:
    """A spam complaint stops our mail to the customer; an unsubscribe is from marketing
    only, service emails still go."""
    complaining = await contact(email="carl@mail.example", subject="First")
    unsubscribed = await contact(email="dora@mail.example", subject="First")
    await work()
    customers = {
        (await tickets.get_ticket(ticket_id=t))["customer"]: reason
        for t, reason in ((complaining, "complained"), (unsubscribed, "unsubscribed"))
    }
    for customer_id, reason in customers.items():
        await marketing.suppress(customer_ids=[customer_id], reason=reason, now=utcnow())
    await welcome_rule()
    await contact(email="carl@mail.example", subject="Second")
    await contact(email="dora@mail.example", subject="Second")
    await work()
    assert [m["To"] for m in smtp_server.about("We got it")] == ["dora@mail.example"]


async def test_a_batch_never_waits_for_its_own_earlier_events(
    smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The solve's earlier events (created, updated, reply) no rule listens to are in the
    batch too, claimed by it: the rule on the solve does not wait for them as it waits for
    another worker's (it did, 5 s each)."""
    monkeypatch.setattr(runner, "EARLIER_EVENT_WAIT_SECONDS", 3600.0)
    people = await desk_team()
    await follow_up_rule()
    await worked_ticket(people, status="solved")
    await asyncio.wait_for(work(), timeout=60)
    assert await follow_up_status() == ["pending"]
