"""Helpers of the rules tests: contacts, rules, running the outbox as the worker would."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from automation.rules import service as rules
from automation.rules.tables import RuleRun
from servicedesk.clock import utcnow
from servicedesk.customers.service import ContactIdentity
from servicedesk.outbox.tasks import deliver_due
from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import TicketEvent

CUSTOMER = "ann@mail.example"


async def contact(
    body: str = "hello",
    subject: str = "Help",
    email: str = CUSTOMER,
    ticket_id: int | None = None,
    now: datetime | None = None,
) -> int:
    thread = tickets.ThreadRef(ticket_id=ticket_id) if ticket_id else tickets.ThreadRef()
    ticket, _ = await tickets.receive_contact(
        contact=tickets.Contact(
            channel="email",
            identity=ContactIdentity(email=email),
            body=body,
            subject=subject,
            thread=thread,
        ),
        now=now,
    )
    return ticket


async def rule(**spec: Any) -> dict[str, Any]:
    spec.setdefault("name", "rule")
    spec.setdefault("trigger", {"events": ["ticket.created"]})
    return await rules.create_rule(data=spec)


async def work(now: datetime | None = None) -> dict[str, int]:
    """Delivers every due outbox row (events to the rules, emails to SMTP) until none is
    left, as the worker does."""
    total: dict[str, int] = {}
    while True:
        counts = await deliver_due(now=now or utcnow())
        if not counts:
            return total
        for k, v in counts.items():
            total[k] = total.get(k, 0) + v


async def audit(ticket_id: int) -> list[dict[str, Any]]:
    return (
        await TicketEvent.select().where(TicketEvent.ticket == ticket_id).order_by(TicketEvent.id)
    )


async def run_log(rule_id: int) -> list[dict[str, Any]]:
    return await rules.runs(rule_id=rule_id)


__all__ = ["RuleRun", "audit", "contact", "rule", "run_log", "work"]
