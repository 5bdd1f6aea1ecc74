"""CSAT after each solve, NPS to a segment, CES as CSAT's optional second question.

Survey links carry a signed token (HMAC of the survey's random nonce with SECRET_KEY).
The emailed link works once; the page then edits the answer with a second, short-lived
edit token, so a forwarded or replayed email link cannot overwrite a customer's answer."""

from __future__ import annotations

import hmac
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from servicedesk import signing, writes
from servicedesk.channels.flags import AUTOMATED_TAG
from servicedesk.clock import as_utc, utcnow
from servicedesk.customers.tables import Customer, CustomerIdentity
from servicedesk.db import chunks, write_transaction
from servicedesk.errors import Gone, Invalid, NotFound
from servicedesk.outbox import service as outbox
from servicedesk.settings import get_settings
from servicedesk.signing import sign
from servicedesk.tickets.tables import Ticket, TicketTag

from . import facts
from .tables import Survey, SurveyResponse, TicketMetrics

CSAT_QUESTION = "How satisfied are you with how we resolved your request?"
NPS_QUESTION = "How likely are you to recommend us to a friend or colleague?"
CES_QUESTION = "The company made it easy to handle my issue."
SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
EDIT_TOKEN_SECONDS = 7 * 24 * 3600


def link_token(nonce: str) -> str:
    return signing.token("link", nonce)


def edit_token(nonce: str, now: float | None = None) -> str:
    expires = int((now or time.time()) + EDIT_TOKEN_SECONDS)
    return f"e.{nonce}.{expires}.{sign(f'edit:{nonce}:{expires}')}"


def _read_token(token: str) -> tuple[str, bool]:
    """Returns (nonce, is_edit_token) of a genuine token; refuses forged or expired ones."""
    parts = token.split(".")
    if len(parts) == 2 and hmac.compare_digest(parts[1], sign("link:" + parts[0])):
        return parts[0], False
    if len(parts) == 4 and parts[0] == "e":
        _, nonce, expires, signature = parts
        if hmac.compare_digest(signature, sign(f"edit:{nonce}:{expires}")):
            if expires.isdigit() and int(expires) >= time.time():
                return nonce, True
            raise Gone("this survey page has expired; thank you for your answer", field="token")
    raise NotFound(
        "this survey link is not valid; please use the link from your email", field="token"
    )


def check_score(kind: str, score: int, field: str = "rating") -> None:
    low, high = SCALES[kind]
    if not low <= score <= high:
        raise Invalid(f"a {kind.upper()} score is from {low} to {high}; got {score}", field=field)


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


# ---------------------------------------------------------------- answering


async def record_csat(
    *, ticket_id: int, rating: int, comment: str | None, now: datetime, survey_id: int | None = None
) -> None:
    """Stores a CSAT rating; the latest one given for a ticket is the one that counts."""
    check_score("csat", rating)
    # The whole row, as the ticket services keep it in a unit of work (read once there).
    ticket = await writes.get(
        Ticket, ticket_id, Ticket.select().where(Ticket.id == ticket_id).first
    )
    if not ticket:
        raise NotFound(f"ticket {ticket_id} does not exist", field="ticket")
    await writes.insert(
        SurveyResponse,
        {
            "kind": "csat",
            "customer": ticket["customer"],
            "ticket": ticket_id,
            "survey": survey_id,
            "score": rating,
            "comment": comment or None,
            "anonymous": False,
            "created_at": now,
        },
    )
    await facts.rated(ticket_id=ticket_id, rating=rating, comment=comment or None)


async def record_response(
    *,
    kind: str,
    customer_id: int,
    score: int,
    now: datetime,
    comment: str | None = None,
    ticket_id: int | None = None,
    survey_id: int | None = None,
    anonymous: bool = False,
) -> None:
    """Stores an NPS or CES answer."""
    check_score(kind, score, field="score")
    row = {
        "kind": kind,
        "customer": customer_id,
        "ticket": ticket_id,
        "survey": survey_id,
        "score": score,
        "comment": comment or None,
        "anonymous": anonymous,
        "created_at": now,
    }
    await writes.insert(SurveyResponse, row)


async def _survey_for(token: str) -> tuple[dict[str, Any], bool]:
    nonce, is_edit = _read_token(token)
    survey = await Survey.select().where(Survey.nonce == nonce).first()
    if not survey:
        raise NotFound(
            "this survey link is not valid; please use the link from your email", field="token"
        )
    if not is_edit and survey["link_used_at"] is not None:
        raise Gone(
            "this survey link has already been used; thank you for your answer", field="token"
        )
    if survey["kind"] == "csat":
        metrics = (
            await TicketMetrics.select(TicketMetrics.solves, TicketMetrics.status)
            .where(TicketMetrics.ticket == survey["ticket"])
            .first()
        )
        if (
            not metrics
            or metrics["solves"] != survey["solve_number"]
            or metrics["status"] not in ("solved", "closed")
        ):
            raise Gone(
                "this request was reopened after this survey was sent; "
                "we will ask again when it is resolved",
                field="token",
            )
    return survey, is_edit


async def _latest(survey_id: int, kind: str) -> dict[str, Any] | None:
    return (
        await SurveyResponse.select()
        .where(SurveyResponse.survey == survey_id, SurveyResponse.kind == kind)
        .order_by(SurveyResponse.id, ascending=False)
        .first()
    )


async def survey_page(*, token: str) -> dict[str, Any]:
    """What the public survey page shows for a token."""
    survey, _ = await _survey_for(token)
    return await _page(survey)


async def _page(survey: dict[str, Any]) -> dict[str, Any]:
    kind = survey["kind"]
    answer = await _latest(survey["id"], kind)
    ces = await _latest(survey["id"], "ces") if kind == "csat" else None
    subject = None
    if survey["ticket"]:
        ticket = await Ticket.select(Ticket.subject).where(Ticket.id == survey["ticket"]).first()
        subject = (ticket or {}).get("subject")
    return {
        "kind": kind,
        "question": CSAT_QUESTION if kind == "csat" else NPS_QUESTION,
        "ces_question": CES_QUESTION if kind == "csat" else None,
        "ticket_subject": subject,
        "rating": answer["score"] if answer else None,
        "comment": answer["comment"] if answer else None,
        "ces_score": ces["score"] if ces else None,
    }


async def answer_survey(
    *,
    token: str,
    rating: int | None,
    comment: str | None,
    ces_score: int | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Records an answer from the public page. The emailed link is used up by its first
    answer; the reply carries an edit token for changing the rating or adding a comment."""
    now = now or utcnow()
    async with write_transaction():
        survey, is_edit = await _survey_for(token)
        kind = survey["kind"]
        previous = await _latest(survey["id"], kind)
        if rating is None and previous is None:
            raise Invalid("choose a rating first", field="rating")
        score = rating if rating is not None else previous["score"]  # type: ignore[index]
        text = comment if comment is not None else (previous or {}).get("comment")
        if kind == "csat":
            await record_csat(
                ticket_id=survey["ticket"],
                rating=score,
                comment=text,
                now=now,
                survey_id=survey["id"],
            )
            if ces_score is not None:
                await record_response(
                    kind="ces",
                    customer_id=survey["customer"],
                    score=ces_score,
                    now=now,
                    ticket_id=survey["ticket"],
                    survey_id=survey["id"],
                )
        else:
            await record_response(
                kind="nps",
                customer_id=survey["customer"],
                score=score,
                now=now,
                comment=text,
                survey_id=survey["id"],
                anonymous=survey["anonymous"],
            )
        if not is_edit:
            await Survey.update({Survey.link_used_at: now}).where(Survey.id == survey["id"])
        await outbox.emit_event(
            topic="survey.answered",
            payload={
                "survey_id": survey["id"],
                "kind": kind,
                "rating": score,
                "comment": text,
                "customer_id": survey["customer"],
                "ticket_id": survey["ticket"],
                "edit": is_edit,
            },
            ticket_id=survey["ticket"],
            now=now,
        )
        page = await _page(survey)
    page["edit_token"] = edit_token(survey["nonce"])
    return page


# ---------------------------------------------------------------- voice of the customer


async def search_comments(
    *,
    query: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Survey comments containing `query` (any case), newest first, given in [start, end).

    Only each answer as it stands counts: an answer later changed on the survey page (or a
    CSAT rating replaced by a later one for the ticket) is left out, like in the reports.
    Anonymous answers keep their words but not who wrote them."""
    where = [
        "r.comment IS NOT NULL",
        "r.comment <> ''",
        "NOT EXISTS (SELECT 1 FROM survey_response n WHERE n.kind = r.kind AND n.id > r.id"
        " AND ((r.survey IS NOT NULL AND n.survey = r.survey)"
        " OR (r.kind = 'csat' AND n.ticket = r.ticket)))",
    ]
    args: list[Any] = []
    if query and query.strip():
        where.append("LOWER(r.comment) LIKE {}")
        args.append(f"%{query.strip().lower()}%")
    if start is not None:
        where.append("r.created_at >= {}")
        args.append(start)
    if end is not None:
        where.append("r.created_at < {}")
        args.append(end)
    rows = await SurveyResponse.raw(
        "SELECT r.kind AS kind, r.score AS score, r.comment AS comment, r.ticket AS ticket_id,"
        " r.customer AS customer_id, r.anonymous AS anonymous, r.created_at AS created_at"
        f" FROM survey_response r WHERE {' AND '.join(where)}"
        f" ORDER BY r.created_at DESC, r.id DESC LIMIT {int(limit)}",
        *args,
    )
    return [
        {
            "kind": row["kind"],
            "score": row["score"],
            "comment": row["comment"],
            "ticket_id": row["ticket_id"],
            "customer_id": None if row["anonymous"] else row["customer_id"],
            "created_at": as_utc(row["created_at"]),
        }
        for row in rows
    ]


async def ticket_satisfaction(*, ticket_id: int) -> dict[str, Any] | None:
    """The rating that counts for a ticket (the latest), its comment, and the latest CES."""
    facts_row = (
        await TicketMetrics.select(TicketMetrics.rating, TicketMetrics.rating_comment)
        .where(TicketMetrics.ticket == ticket_id)
        .first()
    )
    if not facts_row or facts_row["rating"] is None:
        return None
    ces = (
        await SurveyResponse.select(SurveyResponse.score)
        .where(SurveyResponse.ticket == ticket_id, SurveyResponse.kind == "ces")
        .order_by(SurveyResponse.id, ascending=False)
        .first()
    )
    return {
        "rating": facts_row["rating"],
        "comment": facts_row["rating_comment"],
        "ces_score": ces["score"] if ces else None,
    }
