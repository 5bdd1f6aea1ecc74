"""The history the dry-run replays, rebuilt from the audit trail, messages and survey
answers, raises the same events, in the same order, as the live desk raised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from automation.history import hours_between, load_history
from servicedesk.actors import Actor
from servicedesk.customers.service import ContactIdentity
from servicedesk.cx import survey_answers, surveys
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.tickets import service as tickets
from tests.conftest import make_agent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REPLAYED = {
    "ticket.created",
    "message.received",
    "reply.sent",
    "ticket.solved",
    "ticket.reopened",
    "ticket.updated",
    "survey.answered",
    "customer.created",
}


async def live_topics() -> list[tuple[int, str]]:
    rows = await OutboxMessage.select(OutboxMessage.ticket, OutboxMessage.topic).order_by(
        OutboxMessage.id
    )
    return [(row["ticket"], row["topic"]) for row in rows if row["topic"] in REPLAYED]


async def test_history_raises_the_events_the_live_desk_raised() -> None:
    agent = await make_agent("max@desk.example")
    actor = Actor.agent(agent)
    identity = ContactIdentity(email="ida@mail.example", name="Ida")
    first, _ = await tickets.receive_contact(
        contact=tickets.Contact(channel="email", identity=identity, body="refund please"),
        now=T0,
    )
    await tickets.add_agent_message(
        ticket_id=first, actor=actor, body="on it", public=True, now=T0 + timedelta(minutes=5)
    )
    await tickets.update_ticket(
        ticket_id=first,
        changes={"priority": "high", "add_tags": ["refund", "vip"]},
        actor=actor,
        now=T0 + timedelta(minutes=6),
    )
    await tickets.set_status(
        ticket_id=first, status="solved", actor=actor, now=T0 + timedelta(hours=1)
    )
    await tickets.receive_contact(
        contact=tickets.Contact(
            channel="email",
            identity=identity,
            body="still broken",
            thread=tickets.ThreadRef(ticket_id=first),
        ),
        now=T0 + timedelta(hours=2),
    )
    await tickets.update_ticket(
        ticket_id=first,
        changes={"status": "solved", "remove_tags": ["vip"]},
        actor=actor,
        now=T0 + timedelta(hours=3),
    )
    survey = await surveys.schedule_csat(ticket_id=first, now=T0 + timedelta(hours=3))
    assert survey is not None
    nonce = (await surveys.Survey.select(surveys.Survey.nonce).where(surveys.Survey.id == survey))[
        0
    ]["nonce"]
    await survey_answers.answer_survey(
        token=surveys.link_token(nonce),
        rating=2,
        comment="slow",
        ces_score=None,
        now=T0 + timedelta(hours=4),
    )

    history = await load_history(T0, T0 + timedelta(days=1))
    assert [((event.ticket or {}).get("id"), event.topic) for event in history] == (
        await live_topics()
    )

    by_topic = {event.topic: event for event in history}
    assert by_topic["ticket.reopened"].ticket["reopens"] == 1
    assert by_topic["ticket.reopened"].ticket["status"] == "open"
    assert by_topic["message.received"].message == {
        "id": by_topic["message.received"].message["id"],  # type: ignore[index]
        "body": "still broken",
        "channel": "email",
        "direction": "inbound",
    }
    assert by_topic["survey.answered"].payload["rating"] == 2  # type: ignore[index]
    last_update = [event for event in history if event.topic == "ticket.updated"][-1]
    assert last_update.changes == {
        "status": ["open", "solved"],
        "tags": [["refund", "vip"], ["refund"]],
    }
    assert last_update.ticket["tags"] == ["refund"]
    assert last_update.ticket["priority"] == "high"

    # A period that starts later replays only its own events, on tickets as they were.
    later = await load_history(T0 + timedelta(hours=2), T0 + timedelta(days=1))
    assert [event.topic for event in later][:2] == ["ticket.reopened", "message.received"]
    assert later[0].ticket["tags"] == ["refund", "vip"]


def test_time_rules_are_replayed_at_every_full_hour() -> None:
    start = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    hours = list(hours_between(start, start + timedelta(hours=3)))
    assert hours == [start.replace(minute=0) + timedelta(hours=n) for n in (1, 2, 3)]
