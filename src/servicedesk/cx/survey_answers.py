"""Survey answers: CSAT ratings and NPS / CES scores (from the public survey page, and as
the importer and the tests record them), the page itself, and the voice of the customer
(the comments, a ticket's satisfaction). Sending the surveys is cx/surveys.py.

The emailed link (cx/surveys.link_token) works once; its first answer returns an edit
token, signed and short-lived, with which the page changes the answer."""

from __future__ import annotations

import hmac
import time
from datetime import datetime
from typing import Any

from servicedesk import writes
from servicedesk.clock import as_utc, utcnow
from servicedesk.db import write_transaction
from servicedesk.errors import Gone, Invalid, NotFound
from servicedesk.outbox import service as outbox
from servicedesk.signing import sign
from servicedesk.tickets.tables import Ticket

from . import facts
from .surveys import CES_QUESTION, CSAT_QUESTION, NPS_QUESTION
from .tables import Survey, SurveyResponse, TicketMetrics

SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
EDIT_TOKEN_SECONDS = 7 * 24 * 3600


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
