"""The unit of work the importer runs the ticket services in: same rows, written later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from servicedesk import writes
from servicedesk.actors import Actor
from servicedesk.customers import service as customers
from servicedesk.customers.service import ContactIdentity
from servicedesk.cx.tables import TicketMetrics
from servicedesk.db import write_transaction
from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import Interaction, Ticket, TicketEvent, TicketTag
from tests.conftest import make_agent

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _replay(customer_id: int, agent: Actor) -> int:
    ticket = await tickets.open_ticket(
        customer_id=customer_id, channel="email", subject="Order", now=NOW, quiet=True
    )
    ticket_id = int(ticket["id"])
    later = NOW + timedelta(minutes=30)
    await tickets.add_inbound_message(
        ticket_id=ticket_id, channel="email", body="hi", now=NOW, quiet=True
    )
    await tickets.update_ticket(
        ticket_id=ticket_id, changes={"tags": ["billing"]}, actor=agent, now=NOW, quiet=True
    )
    await tickets.add_agent_message(
        ticket_id=ticket_id, actor=agent, body="hello", public=True, now=later, quiet=True
    )
    await tickets.set_status(
        ticket_id=ticket_id, status="solved", actor=agent, now=later, quiet=True
    )
    return ticket_id


async def _state(ticket_id: int) -> tuple[object, ...]:
    ticket = await Ticket.select().where(Ticket.id == ticket_id).first()
    facts = await TicketMetrics.select().where(TicketMetrics.ticket == ticket_id).first()
    assert ticket and facts
    for row in (ticket, facts):
        row.pop("id")
    facts.pop("ticket")
    events = await TicketEvent.select(
        TicketEvent.field, TicketEvent.old_value, TicketEvent.new_value
    ).where(TicketEvent.ticket == ticket_id)
    tags = await TicketTag.select(TicketTag.tag).where(TicketTag.ticket == ticket_id)
    return ticket, facts, events, tags, await Interaction.count()


async def test_a_unit_of_work_writes_the_same_rows_as_live_calls_when_it_ends() -> None:
    agent_id = await make_agent("ann@desk.example")
    agent = Actor.agent(agent_id, "ann@desk.example", "agent")
    first = await customers.find_or_create_customer(identity=ContactIdentity(email="a@x.example"))
    second = await customers.find_or_create_customer(identity=ContactIdentity(email="b@x.example"))
    live = await _replay(first, agent)
    async with write_transaction(), writes.unit_of_work():
        batched = await _replay(second, agent)
        assert await Ticket.count().where(Ticket.id == batched) == 0  # not written yet
    live_state, batched_state = await _state(live), await _state(batched)
    assert live_state[0]["customer"] != batched_state[0]["customer"]  # type: ignore[index]
    for state in (live_state, batched_state):
        state[0].pop("customer")  # type: ignore[attr-defined]
        state[1].pop("customer")  # type: ignore[attr-defined]
    assert batched_state[:4] == live_state[:4]
    assert batched_state[1]["solves"] == 1  # type: ignore[index]


async def test_a_failed_unit_of_work_writes_nothing() -> None:
    customer_id = await customers.find_or_create_customer(
        identity=ContactIdentity(email="c@x.example")
    )
    with pytest.raises(RuntimeError):
        async with write_transaction(), writes.unit_of_work():
            await tickets.open_ticket(
                customer_id=customer_id, channel="email", subject="s", now=NOW, quiet=True
            )
            raise RuntimeError("the batch failed")
    assert await Ticket.count() == 0 and await TicketEvent.count() == 0
