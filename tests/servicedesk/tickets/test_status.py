"""The status machine and the rules of cx-metrics.md, through the ticket services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from servicedesk.actors import Actor
from servicedesk.customers.service import ContactIdentity
from servicedesk.errors import Conflict
from servicedesk.tickets import service
from servicedesk.tickets.tables import Ticket, TicketEvent
from tests.conftest import make_agent

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def contact(
    body: str = "Where is my order?", email: str = "carol@mail.example", **thread: object
) -> service.Contact:
    return service.Contact(
        channel="email",
        identity=ContactIdentity(email=email),
        subject="Order 12",
        body=body,
        thread=service.ThreadRef(**thread),
    )  # type: ignore[arg-type]


async def status_of(ticket_id: int) -> str:
    row = await Ticket.select(Ticket.status).where(Ticket.id == ticket_id).first()
    assert row
    return str(row["status"])


async def test_inbound_message_on_solved_ticket_reopens_it() -> None:
    alice = Actor.agent(await make_agent("alice@desk.example"))
    ticket_id, _ = await service.receive_contact(contact=contact(), now=T0)
    await service.add_agent_message(
        ticket_id=ticket_id, actor=alice, body="Shipped.", public=True, now=T0 + timedelta(hours=1)
    )
    await service.set_status(
        ticket_id=ticket_id, status="solved", actor=alice, now=T0 + timedelta(hours=2)
    )
    again, _ = await service.receive_contact(
        contact=contact("Not arrived", ticket_id=ticket_id), now=T0 + timedelta(hours=3)
    )
    assert again == ticket_id
    assert await status_of(ticket_id) == "open"
    fields = [
        e["field"]
        for e in await TicketEvent.select(TicketEvent.field).where(TicketEvent.ticket == ticket_id)
    ]
    assert fields.count("status") == 3  # new->open (reply), open->solved, solved->open


async def test_inbound_on_closed_ticket_creates_a_linked_follow_up() -> None:
    alice = Actor.agent(await make_agent("alice@desk.example"))
    ticket_id, _ = await service.receive_contact(contact=contact(), now=T0)
    await service.set_status(
        ticket_id=ticket_id, status="solved", actor=alice, now=T0 + timedelta(hours=1)
    )
    await service.set_status(
        ticket_id=ticket_id, status="closed", actor=alice, now=T0 + timedelta(days=5)
    )
    follow_up, _ = await service.receive_contact(
        contact=contact("Me again", ticket_id=ticket_id), now=T0 + timedelta(days=6)
    )
    assert follow_up != ticket_id
    row = (
        await Ticket.select(Ticket.follow_up_of, Ticket.status, Ticket.subject)
        .where(Ticket.id == follow_up)
        .first()
    )
    assert row == {"follow_up_of": ticket_id, "status": "new", "subject": "Order 12"}
    assert await status_of(ticket_id) == "closed"


async def test_solving_an_unassigned_ticket_assigns_the_solver() -> None:
    bob_id = await make_agent("bob@desk.example")
    ticket_id, _ = await service.receive_contact(contact=contact(), now=T0)
    await service.set_status(
        ticket_id=ticket_id, status="solved", actor=Actor.agent(bob_id), now=T0 + timedelta(hours=1)
    )
    row = await Ticket.select(Ticket.assignee).where(Ticket.id == ticket_id).first()
    assert row == {"assignee": bob_id}


@pytest.mark.parametrize(
    ("path", "refused", "why"),
    [
        (["solved", "closed"], "open", "closed"),
        ([], "closed", "only solved tickets can be closed"),
        (["open"], "new", "only a solved ticket can be reopened"),
    ],
)
async def test_invalid_transitions_are_refused_with_a_reason(
    path: list[str], refused: str, why: str
) -> None:
    alice = Actor.agent(await make_agent("alice@desk.example"))
    ticket_id, _ = await service.receive_contact(contact=contact(), now=T0)
    for step in path:
        await service.set_status(ticket_id=ticket_id, status=step, actor=alice, now=T0)
    with pytest.raises(Conflict, match=why):
        await service.set_status(ticket_id=ticket_id, status=refused, actor=alice, now=T0)


async def test_customer_is_found_by_any_identity_across_channels() -> None:
    first, _ = await service.receive_contact(contact=contact(), now=T0)
    phone = service.Contact(
        channel="phone",
        identity=ContactIdentity(email="Carol@Mail.Example", phone="+44 1632 960001"),
        body="Calling about it",
    )
    second, _ = await service.receive_contact(contact=phone, now=T0 + timedelta(hours=1))
    by_phone = service.Contact(
        channel="chat", identity=ContactIdentity(phone="+441632960001"), body="Chat now"
    )
    third, _ = await service.receive_contact(contact=by_phone, now=T0 + timedelta(hours=2))
    customers = {
        r["customer"]
        for r in await Ticket.select(Ticket.customer).where(Ticket.id.is_in([first, second, third]))
    }
    assert len(customers) == 1


async def test_customer_html_is_sanitized() -> None:
    c = service.Contact(
        channel="web",
        identity=ContactIdentity(email="x@mail.example"),
        body="hi",
        html='<p onclick="steal()">Hi<script>alert(1)</script><a href="javascript:x()">link</a></p>',
    )
    ticket_id, _ = await service.receive_contact(contact=c, now=T0)
    (row,) = await service.interactions_of(ticket_id=ticket_id)
    assert (
        "script" not in row["body_html"]
        and "onclick" not in row["body_html"]
        and "javascript" not in row["body_html"]
    )
    assert "Hi" in row["body_html"]


async def test_solved_tickets_close_after_the_configured_days() -> None:
    alice = Actor.agent(await make_agent("alice@desk.example"))
    old, _ = await service.receive_contact(contact=contact(), now=T0)
    recent, _ = await service.receive_contact(contact=contact(email="dan@mail.example"), now=T0)
    await service.set_status(ticket_id=old, status="solved", actor=alice, now=T0)
    await service.set_status(
        ticket_id=recent, status="solved", actor=alice, now=T0 + timedelta(days=3)
    )
    closed = await service.close_solved_tickets(
        now=T0 + timedelta(days=4, hours=1), older_than_days=4
    )
    assert closed == 1
    assert (await status_of(old), await status_of(recent)) == ("closed", "solved")
