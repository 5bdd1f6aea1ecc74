"""A customer's touchpoints on one timeline, newest first, a page at a time.

The timeline is a list of sources (SOURCES): one small function per kind of touchpoint,
each answering the customer's newest `limit` entries older than the cursor. The page is
the newest `limit` of their union. A new kind (sales leads' changes) is one more function
appended to SOURCES; nothing else changes.

Order and paging: entries are ordered by (at, kind, id), descending; the cursor of the next
page is the last entry's "at~kind~id", so entries at the same moment are neither lost nor
repeated across pages. A plain ISO time is also taken as a cursor (entries before it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from servicedesk.cx.tables import Survey, SurveyResponse
from servicedesk.errors import Invalid
from servicedesk.marketing.tables import CampaignRecipient
from servicedesk.sales.tables import LeadEvent
from servicedesk.schemas import MAX_ID
from servicedesk.tickets.tables import Interaction

from .tables import JourneyChange


@dataclass(frozen=True)
class Cursor:
    """Entries strictly after this point of the (at, kind, id) descending order."""

    at: datetime
    kind: str | None = None  # None: every entry before `at`
    id: int = 0

    def token(self) -> str:
        return f"{self.at.isoformat()}~{self.kind}~{self.id}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        parts = text.split("~")
        try:
            at = datetime.fromisoformat(parts[0])
            if at.tzinfo is None or not 1900 <= at.year <= 9000:
                raise ValueError("no zone, or out of range")
            if len(parts) == 1:
                return cls(at)
            kind, ident = parts[1], int(parts[2])
            if len(parts) != 3 or not kind or not 0 <= ident <= MAX_ID:
                raise ValueError("not a cursor")
        except (ValueError, IndexError) as exc:
            raise Invalid(
                "before is a time with its zone (2026-01-01T00:00:00Z) or a timeline's next cursor",
                field="before",
            ) from exc
        return cls(at, kind, ident)

    def older(self, at: Any, ident: Any, kind: str) -> list[Any]:
        """The where clauses of a source's entries after the cursor (at, id: its columns)."""
        if self.kind is None or kind > self.kind:
            return [at < self.at]
        if kind < self.kind:
            return [at <= self.at]
        return [(at < self.at) | ((at == self.at) & (ident < self.id))]


Entry = dict[str, Any]
Source = Callable[[int, Cursor | None, int], Awaitable[list[Entry]]]


def entry(kind: str, ident: int, at: datetime, title: str, **more: Any) -> Entry:
    return {
        "key": f"{kind}:{ident}",
        "kind": kind,
        "id": ident,
        "at": at,
        "title": title,
        "text": None,
        "ticket_id": None,
        "ticket_subject": None,
        "channel": None,
        "actor": None,
        "message": None,
    } | more


def _where(cursor: Cursor | None, at: Any, ident: Any, kind: str) -> list[Any]:
    return cursor.older(at, ident, kind) if cursor else []


async def messages(customer_id: int, cursor: Cursor | None, limit: int) -> list[Entry]:
    """Every message and internal note of the customer's tickets, all channels."""
    rows = (
        await Interaction.select(
            *Interaction.all_columns(),
            Interaction.author_agent.name.as_alias("author_name"),
            Interaction.ticket.subject.as_alias("ticket_subject"),
        )
        .where(
            Interaction.customer == customer_id,
            *_where(cursor, Interaction.created_at, Interaction.id, "message"),
        )
        .order_by(Interaction.created_at, Interaction.id, ascending=False)
        .limit(limit)
    )
    return [
        entry(
            "message",
            r["id"],
            r["created_at"],
            "Message from the customer" if r["direction"] == "inbound" else "Reply",
            ticket_id=r["ticket"],
            ticket_subject=r["ticket_subject"],
            channel=r["channel"],
            actor=r["author_name"],
            message=r,
        )
        for r in rows
    ]


async def survey_invitations(customer_id: int, cursor: Cursor | None, limit: int) -> list[Entry]:
    rows = (
        await Survey.select(Survey.id, Survey.kind, Survey.ticket, Survey.sent_at)
        .where(Survey.customer == customer_id, *_where(cursor, Survey.sent_at, Survey.id, "survey"))
        .order_by(Survey.sent_at, Survey.id, ascending=False)
        .limit(limit)
    )
    return [
        entry(
            "survey",
            r["id"],
            r["sent_at"],
            f"{r['kind'].upper()} survey sent",
            ticket_id=r["ticket"],
        )
        for r in rows
    ]


async def survey_answers(customer_id: int, cursor: Cursor | None, limit: int) -> list[Entry]:
    where = _where(cursor, SurveyResponse.created_at, SurveyResponse.id, "survey_answer")
    rows = (
        await SurveyResponse.select()
        .where(SurveyResponse.customer == customer_id, SurveyResponse.anonymous.eq(False), *where)
        .order_by(SurveyResponse.created_at, SurveyResponse.id, ascending=False)
        .limit(limit)
    )
    return [
        entry(
            "survey_answer",
            r["id"],
            r["created_at"],
            f"{r['kind'].upper()} answer: {r['score']}",
            text=r["comment"],
            ticket_id=r["ticket"],
        )
        for r in rows
    ]


async def campaign_emails(customer_id: int, cursor: Cursor | None, limit: int) -> list[Entry]:
    """Marketing campaign emails sent (or refused: suppressed, capped) to the customer."""
    where = _where(cursor, CampaignRecipient.queued_at, CampaignRecipient.id, "campaign")
    rows = (
        await CampaignRecipient.select(
            CampaignRecipient.id,
            CampaignRecipient.status,
            CampaignRecipient.queued_at,
            CampaignRecipient.campaign.name.as_alias("campaign_name"),
            CampaignRecipient.campaign.subject.as_alias("subject"),
        )
        .where(CampaignRecipient.customer == customer_id, *where)
        .order_by(CampaignRecipient.queued_at, CampaignRecipient.id, ascending=False)
        .limit(limit)
    )
    return [
        entry(
            "campaign",
            r["id"],
            r["queued_at"],
            f"Campaign email: {r['campaign_name']}",
            text=f"{r['subject']} ({r['status']})",
            channel="email",
        )
        for r in rows
    ]


async def journey_changes(customer_id: int, cursor: Cursor | None, limit: int) -> list[Entry]:
    where = _where(cursor, JourneyChange.created_at, JourneyChange.id, "journey")
    rows = (
        await JourneyChange.select(
            *JourneyChange.all_columns(), JourneyChange.actor_agent.name.as_alias("agent_name")
        )
        .where(JourneyChange.customer == customer_id, *where)
        .order_by(JourneyChange.created_at, JourneyChange.id, ascending=False)
        .limit(limit)
    )
    return [
        entry(
            "journey",
            r["id"],
            r["created_at"],
            f"Journey stage: {r['from_stage'] or '(none)'} → {r['to_stage'] or '(none)'}",
            actor=r["agent_name"] or r["actor_label"] or r["source"],
            text=f"by {r['source']}",
        )
        for r in rows
    ]


async def lead_changes(customer_id: int, cursor: Cursor | None, limit: int) -> list[Entry]:
    """A lead created or moved to another stage (servicedesk.sales)."""
    where = _where(cursor, LeadEvent.at, LeadEvent.id, "lead")
    rows = (
        await LeadEvent.select(
            LeadEvent.id,
            LeadEvent.at,
            LeadEvent.lead,
            LeadEvent.from_stage,
            LeadEvent.to_stage,
            LeadEvent.actor_label,
            LeadEvent.actor_agent.name.as_alias("agent_name"),
        )
        .where(
            LeadEvent.lead.customer == customer_id,
            LeadEvent.kind.is_in(["created", "stage"]),
            *where,
        )
        .order_by(LeadEvent.at, LeadEvent.id, ascending=False)
        .limit(limit)
    )
    return [
        entry(
            "lead",
            r["id"],
            r["at"],
            f"Lead #{r['lead']}: {r['from_stage']} → {r['to_stage']}"
            if r["from_stage"]
            else f"Lead #{r['lead']} created ({r['to_stage']})",
            actor=r["agent_name"] or r["actor_label"],
        )
        for r in rows
    ]


# The timeline's sources; a new kind of touchpoint is one function appended here.
SOURCES: list[Source] = [
    messages,
    survey_invitations,
    survey_answers,
    campaign_emails,
    journey_changes,
    lead_changes,
]


async def page(
    *, customer_id: int, limit: int = 50, before: str | None = None
) -> tuple[list[Entry], str | None]:
    """The newest `limit` entries after the cursor `before`, and the next page's cursor
    (None: no more)."""
    cursor = Cursor.parse(before) if before else None
    found: list[Entry] = []
    for source in SOURCES:
        found += await source(customer_id, cursor, limit + 1)
    found.sort(key=lambda e: (e["at"], e["kind"], e["id"]), reverse=True)
    items = found[:limit]
    more = len(found) > limit
    last = items[-1] if items else None
    return items, Cursor(last["at"], last["kind"], last["id"]).token() if more and last else None
