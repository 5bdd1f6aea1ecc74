"""Surveys sent: CSAT after each solve, NPS to a segment (CES rides as CSAT's optional second
question). The answers, the public survey page and the comments are in cx/survey_answers.py.

Survey links carry a signed token (HMAC of the survey's random nonce with SECRET_KEY).
The emailed link works once; the page then edits the answer with a second, short-lived
edit token (cx/survey_answers.py), so a forwarded or replayed email link cannot overwrite a
customer's answer."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from servicedesk import signing, writes
from servicedesk.channels.flags import AUTOMATED_TAG
from servicedesk.clock import utcnow
from servicedesk.customers.tables import Customer, CustomerIdentity
from servicedesk.db import chunks, write_transaction
from servicedesk.errors import NotFound
from servicedesk.outbox import service as outbox
from servicedesk.settings import get_settings
from servicedesk.tickets.tables import Ticket, TicketTag

from . import facts
from .tables import Survey, TicketMetrics

CSAT_QUESTION = "How satisfied are you with how we resolved your request?"
NPS_QUESTION = "How likely are you to recommend us to a friend or colleague?"
CES_QUESTION = "The company made it easy to handle my issue."


def link_token(nonce: str) -> str:
    return signing.token("link", nonce)


# ---------------------------------------------------------------- sending


async def _survey_addresses(customer_ids: list[int]) -> dict[int, str]:
    """The address to survey each customer at (their first email address), leaving out
    customers who bounced or opted out: two queries per 500 customers."""
    addresses: dict[int, str] = {}
    ids = sorted(set(customer_ids))
    for chunk in chunks(ids):
        allowed = await Customer.select(Customer.id).where(
            Customer.id.is_in(list(chunk)),
            Customer.email_bounced.eq(False),
            Customer.surveys_opt_out.eq(False),
        )
        if not allowed:
            continue
        emails = (
            await CustomerIdentity.select(CustomerIdentity.customer, CustomerIdentity.value)
            .where(
                CustomerIdentity.customer.is_in([row["id"] for row in allowed]),
                CustomerIdentity.kind == "email",
            )
            .order_by(CustomerIdentity.id)
        )
        for row in emails:
            addresses.setdefault(row["customer"], str(row["value"]))
    return addresses


async def schedule_csat(*, ticket_id: int, now: datetime) -> int | None:
    """Queues the CSAT email of a solve. Skipped for tickets no agent answered in public
    (internal or automated-only), tickets a machine wrote to (tag automated-mail), customers without a usable address, and customers
    surveyed within the fatigue window. Returns the survey id when one is sent."""
    settings = get_settings()
    metrics = (
        await TicketMetrics.select(
            TicketMetrics.customer, TicketMetrics.agent_public_replies, TicketMetrics.solves
        )
        .where(TicketMetrics.ticket == ticket_id)
        .first()
    )
    if not metrics or metrics["agent_public_replies"] == 0:
        return None
    if await TicketTag.exists().where(
        TicketTag.ticket == ticket_id, TicketTag.tag == AUTOMATED_TAG
    ):
        return None  # a machine wrote to it (docs/channels.md): no survey for a robot
    customer_id = metrics["customer"]
    address = (await _survey_addresses([customer_id])).get(customer_id)
    if not address:
        return None
    if settings.csat_fatigue_days and await Survey.exists().where(
        Survey.customer == customer_id,
        Survey.kind == "csat",
        Survey.sent_at > now - timedelta(days=settings.csat_fatigue_days),
    ):
        return None
    ticket = await Ticket.select(Ticket.subject).where(Ticket.id == ticket_id).first()
    row = _survey_row("csat", customer_id, ticket_id, metrics["solves"], False, now)
    survey_id = int((await Survey.insert(Survey(**row)).returning(Survey.id))[0]["id"])
    token = link_token(row["nonce"])
    links = "\n".join(
        f"  {score} {label}: {settings.base_url}/survey/{token}?rating={score}"
        for score, label in (
            (5, "Very satisfied"),
            (4, "Satisfied"),
            (3, "Neutral"),
            (2, "Unsatisfied"),
            (1, "Very unsatisfied"),
        )
    )
    subject = (ticket or {}).get("subject", "")
    survey = outbox.Email(
        to=address,
        subject=f"[#{ticket_id}] How did we do? {subject}",
        body=f"{CSAT_QUESTION}\n\nYour request: {subject}\n\nClick one:\n{links}\n",
        ticket_id=ticket_id,
        topic="csat_survey",
        not_before=now + timedelta(minutes=settings.csat_delay_minutes),
    )
    await outbox.queue_emails([survey], now=now)
    await facts.survey_sent(ticket_id=ticket_id)
    return survey_id


async def record_csat_sent(*, ticket_id: int, now: datetime) -> None:
    """A CSAT survey sent outside the desk (imported history): kept and counted in the
    response rate like the ones schedule_csat sends; no email goes out."""
    ticket = await writes.get(
        Ticket, ticket_id, Ticket.select().where(Ticket.id == ticket_id).first
    )
    if not ticket:
        raise NotFound(f"ticket {ticket_id} does not exist", field="ticket")
    solve_number = await facts.solves(ticket_id=ticket_id)
    row = _survey_row("csat", ticket["customer"], ticket_id, solve_number, False, now)
    await writes.insert(Survey, row)
    await facts.survey_sent(ticket_id=ticket_id)


def _survey_row(
    kind: str,
    customer_id: int,
    ticket_id: int | None,
    solve_number: int,
    anonymous: bool,
    now: datetime,
) -> dict[str, Any]:
    """A survey invitation; its link names the random nonce."""
    return {
        "kind": kind,
        "customer": customer_id,
        "ticket": ticket_id,
        "solve_number": solve_number,
        "nonce": secrets.token_urlsafe(18),
        "anonymous": anonymous,
        "sent_at": now,
    }


async def send_nps(
    *, customer_ids: list[int], anonymous: bool = False, now: datetime | None = None
) -> int:
    """Sends the NPS relationship survey to a segment (each customer once, none who bounced
    or opted out); returns how many were sent. Written in a few statements per 500
    customers, so a segment of thousands is sent within the request."""
    now = now or utcnow()
    base = get_settings().base_url
    addresses = await _survey_addresses(customer_ids)
    segment = [c for c in dict.fromkeys(customer_ids) if c in addresses]
    async with write_transaction():
        for chunk in chunks(segment):
            rows = [_survey_row("nps", c, None, 0, anonymous, now) for c in chunk]
            await Survey.insert(*[Survey(**row) for row in rows])
            await outbox.queue_emails(
                [_nps_email(addresses[row["customer"]], row["nonce"], base) for row in rows],
                now=now,
            )
    return len(segment)


def _nps_email(address: str, nonce: str, base_url: str) -> outbox.Email:
    token = link_token(nonce)
    links = " ".join(f"{score}: {base_url}/survey/{token}?rating={score}" for score in range(11))
    return outbox.Email(
        to=address,
        subject="A quick question",
        topic="nps_survey",
        body=f"{NPS_QUESTION} (0 = not at all, 10 = extremely)\n\n{links}\n",
    )
