"""CX test helpers: contacts and reports with explicit times, and a real SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller

from servicedesk.customers.service import ContactIdentity
from servicedesk.cx.reports import cx_report
from servicedesk.cx.tables import TicketMetrics
from servicedesk.settings import get_settings
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


# ---------------------------------------------------------------- SMTP


@dataclass
class Mailbox:
    """What the SMTP server accepted, in arrival order."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(cast(EmailMessage, parsed))
        return "250 Message accepted for delivery"

    def about(self, words: str) -> list[EmailMessage]:
        """Messages whose subject contains `words`."""
        return [m for m in self.messages if words in str(m["Subject"])]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that the outbox delivers to."""
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
    get_settings.cache_clear()
    try:
        yield box
    finally:
        controller.stop()
        get_settings.cache_clear()
