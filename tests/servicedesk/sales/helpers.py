"""Helpers of the sales tests: customers through real contacts, a sales team, leads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from servicedesk.accounts import service as accounts
from servicedesk.actors import Actor
from servicedesk.customers.service import ContactIdentity
from servicedesk.sales import service as sales
from servicedesk.tickets import service as tickets
from tests.conftest import make_agent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def contact(email: str, subject: str = "Hello", body: str = "hi", now: datetime = T0) -> int:
    """A real inbound email contact; returns the ticket id."""
    ticket_id, _ = await tickets.receive_contact(
        contact=tickets.Contact(
            channel="email", identity=ContactIdentity(email=email), body=body, subject=subject
        ),
        now=now,
    )
    return ticket_id


async def customer_of(ticket_id: int) -> int:
    return int((await tickets.get_ticket(ticket_id=ticket_id))["customer"])


async def sales_team() -> dict[str, int]:
    """Team Sales with Sam, Sue (agents) and Lou (lead); Lena leads another team."""
    ids = {
        "sam": await make_agent("sam@desk.example", "agent", team="Sales"),
        "sue": await make_agent("sue@desk.example", "agent", team="Sales"),
        "lou": await make_agent("lou@desk.example", "lead", team="Sales"),
        "lena": await make_agent("lena@desk.example", "lead", team="Support"),
    }
    ids["team"] = await accounts.get_or_create_team(name="Sales")
    return ids


def as_agent(agent_id: int, role: str = "lead", label: str = "lou@desk.example") -> Actor:
    return Actor.agent(agent_id, label, role)


async def lead_for(ticket_id: int, actor: Actor, now: datetime = T0, **extra: Any) -> int:
    captured = await sales.create_lead(actor=actor, now=now, ticket_id=ticket_id, **extra)
    assert captured.created
    return captured.lead_id
