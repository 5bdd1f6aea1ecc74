"""CX test helpers: contacts and reports with explicit times, and a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from servicedesk.customers.service import ContactIdentity
from servicedesk.cx.reports import cx_report
from servicedesk.cx.tables import TicketMetrics
from servicedesk.tickets import service as tickets

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
PERIOD_START = datetime(2026, 1, 1, tzinfo=UTC)
PERIOD_END = datetime(2026, 3, 1, tzinfo=UTC)


def contact(
    *,
    channel: str = "email",
    email: str | None = "carol@mail.example",
    phone: str | None = None,
    body: str = "Where is my order?",
    subject: str = "Order 12",
    ticket_id: int | None = None,
) -> tickets.Contact:
    return tickets.Contact(
        channel=channel,
        identity=ContactIdentity(email=email, phone=phone),
        subject=subject,
        body=body,
        thread=tickets.ThreadRef(ticket_id=ticket_id),
    )


async def facts_of(ticket_id: int) -> dict[str, Any]:
    row = await TicketMetrics.select().where(TicketMetrics.ticket == ticket_id).first()
    assert row is not None, f"ticket {ticket_id} has no facts"
    return row


async def report(
    group_by: list[str] | None = None,
    start: datetime = PERIOD_START,
    end: datetime = PERIOD_END,
) -> dict[str, Any]:
    return await cx_report(start=start, end=end, group_by=group_by or [])
