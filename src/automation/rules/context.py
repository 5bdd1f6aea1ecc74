"""The context rules are evaluated over, read live from the ticket, its customer and the
event (see conditions.py for its shape), and the variables templates render with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from servicedesk.channels.form import form_fields
from servicedesk.cx.business_hours import Schedule
from servicedesk.cx.facts import team_schedule
from servicedesk.sales import reads as sales
from servicedesk.settings import get_settings

from . import queries

NPS_CATEGORY = ((9, "promoter"), (7, "passive"), (0, "detractor"))


def nps_category(score: int | None) -> str | None:
    if score is None:
        return None
    return next(name for low, name in NPS_CATEGORY if score >= low)


def ticket_view(
    row: dict[str, Any],
    *,
    tags: list[str],
    assignee: dict[str, Any] | None,
    team: str | None,
    reopens: int,
    status_changed_at: datetime | None,
    customer_message_at: datetime | None,
    form: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The ticket as conditions and templates see it, from its row (live, or as the
    dry-run rebuilt it) and what goes with it."""
    return {
        "id": row["id"],
        "subject": row["subject"],
        "status": row["status"],
        "priority": row["priority"],
        "channel": row["channel"],
        "tags": tags,
        "assignee": assignee["email"] if assignee else None,
        "assignee_id": row["assignee"],
        "assignee_name": assignee["name"] if assignee else None,
        "team": team,
        "team_id": row["team"],
        "customer_id": row["customer"],
        "reopens": reopens,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "solved_at": row["solved_at"],
        "status_changed_at": status_changed_at or row["created_at"],
        "customer_message_at": customer_message_at,
        "form": form or {},  # the web form's optional fields: ticket.form.<name>
    }


def ticket_facts_view(row: dict[str, Any]) -> dict[str, Any]:
    """The ticket as conditions and templates see it, from its queries.ticket_facts row."""
    assignee = {"email": row["assignee_email"], "name": row["assignee_name"]}
    return ticket_view(
        row,
        tags=list(row["tag_list"] or []),
        assignee=assignee if row["assignee"] is not None else None,
        team=row["team_name"],
        reopens=int(row["reopens"] or 0),
        status_changed_at=row["status_changed_at"],
        customer_message_at=row["customer_message_at"],
    )


def customer_view(
    row: dict[str, Any], *, email: str | None, nps: int | None, lead_stage: str | None = None
) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "email": email,
        "email_bounced": bool(row["email_bounced"]),
        # Reported our mail as spam: the rules' emails skip them (messaging_actions).
        "complained": bool(row.get("complained")),
        "tags": list(row["tags"] or []),
        "journey_stage": row.get("journey_stage"),
        "lead_stage": lead_stage,  # read only when a rule needs it (Parts.lead)
        "nps_category": nps_category(nps),
        "marketing_consent": bool(row["marketing_consent"]),
    }


async def customer_facts(customer_id: int) -> dict[str, Any] | None:
    row = await queries.customer(customer_id)
    if row is None:
        return None
    return customer_view(row, email=row["email"], nps=await queries.latest_nps(customer_id))


def _ticket_customer(row: dict[str, Any]) -> dict[str, Any]:
    """The customer facts that came with the ticket's row."""
    return customer_view(
        {
            "id": row["customer"],
            "name": row["customer_name"],
            "email_bounced": row["customer_bounced"],
            "tags": row["customer_tags"],
            "marketing_consent": row["customer_consent"],
            "journey_stage": row["customer_journey"],
            "complained": row["customer_complained"],
        },
        email=row["customer_email"],
        nps=row["customer_nps"],
    )


def named_changes(
    changes: dict[str, Any], agents: dict[int, dict[str, Any]], teams: dict[int, str]
) -> dict[str, Any]:
    """ticket.updated's changes under condition field names, assignee and team ids turned
    into the email and the name that conditions compare with."""
    named: dict[str, Any] = {}
    for name, (old, new) in changes.items():
        if name == "assignee":
            old, new = (agents[v]["email"] if v in agents else None for v in (old, new))
        elif name == "team":
            old, new = (teams.get(v) if v is not None else None for v in (old, new))
        named[f"ticket.{name}"] = [old, new]
    return named


def event_context(
    *,
    topic: str,
    now: datetime,
    ticket: dict[str, Any] | None,
    customer: dict[str, Any] | None,
    changes: dict[str, Any],
    message: dict[str, Any] | None,
    payload: dict[str, Any],
    schedule: Schedule | None,
    lead: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The context conditions are evaluated over (live or in a dry-run)."""
    survey = None
    if topic == "survey.answered":
        survey = {k: payload.get(k) for k in ("kind", "rating", "comment")}
    sla = {k: payload.get(k) for k in ("target", "due_at")} if topic == "sla.breached" else {}
    return {
        "now": now,
        "event": {"topic": topic, "changes": changes, "sla": sla},
        "ticket": ticket,
        "customer": customer,
        "message": message,
        "survey": survey,
        "lead": lead,
        "schedule": schedule,
    }


@dataclass(frozen=True)
class Parts:
    """What a context holds beyond the ticket and its customer (one query for both):
    the business hours of the ticket's team, the message of a message event (or the
    opening message of ticket.created), a ticket.updated's changes named, and the lead
    (the event's, else the customer's current one) with the customer's lead stage. The runner asks only for what its rules' conditions
    read; actions and templates need none of them."""

    schedule: bool = True
    message: bool = True
    changes: bool = True
    lead: bool = True


ALL_PARTS = Parts()
Event = tuple[str, dict[str, Any], int | None]  # topic, payload, ticket id


async def build_contexts(
    events: Sequence[Event], *, now: datetime, parts: Parts = ALL_PARTS
) -> list[dict[str, Any]]:
    """The contexts of many events (or of a time rule's pass: topic "time", empty
    payload), in a few queries for all of them."""
    facts = await queries.ticket_facts(sorted({t for _, _, t in events if t is not None}))
    tickets = {ticket_id: ticket_facts_view(row) for ticket_id, row in facts.items()}
    for web_ticket in tickets.values():
        if web_ticket["channel"] == "web":  # only web form tickets have the form's fields
            web_ticket["form"] = await form_fields(ticket_id=int(web_ticket["id"]))
    # The opening message raises no message.received: ticket.created shows its body.
    opening = await queries.opening_messages(
        sorted({t for topic, _, t in events if parts.message and topic == "ticket.created" and t})
    )
    messages = await queries.interactions(
        sorted(
            {
                int(payload["interaction_id"])
                for topic, payload, _ in events
                if parts.message
                and topic in ("message.received", "reply.sent")
                and payload.get("interaction_id")
            }
            | set(opening.values())
        )
    )
    changes = [(payload.get("changes") or {}) if parts.changes else {} for _, payload, _ in events]
    agent_ids = sorted({v for c in changes for v in c.get("assignee", []) if v is not None})
    team_ids = sorted({v for c in changes for v in c.get("team", []) if v is not None})
    agents, teams = await queries.agents_by_id(agent_ids), await queries.team_names(team_ids)
    schedules: dict[int | None, Schedule] = {}
    contexts = []
    for (topic, payload, ticket_id), changed in zip(events, changes, strict=True):
        ticket = tickets.get(ticket_id) if ticket_id is not None else None
        customer_id = payload.get("customer_id") or (ticket or {}).get("customer_id")
        customer: dict[str, Any] | None
        if customer_id and ticket is not None and int(customer_id) == ticket["customer_id"]:
            customer = _ticket_customer(facts[int(ticket["id"])])
        else:
            customer = await customer_facts(int(customer_id)) if customer_id else None
        lead = None
        if parts.lead and customer is not None:
            customer["lead_stage"] = await sales.customer_lead_stage(int(customer["id"]))
        if parts.lead or topic == "lead.stage_changed":
            lead = await sales.lead_facts(
                lead_id=payload.get("lead_id"),
                customer_id=int(customer_id) if customer_id else None,
            )
        message = None
        message_id = opening.get(ticket_id or 0) if topic == "ticket.created" else None
        found = messages.get(int(message_id or payload.get("interaction_id") or 0))
        if found and topic in ("message.received", "reply.sent", "ticket.created"):
            message = {"body": found["body_text"], "channel": found["channel"]}
        schedule = None
        if ticket is not None and parts.schedule:
            team_id = ticket["team_id"]
            if team_id not in schedules:
                schedules[team_id] = await team_schedule(team_id)
            schedule = schedules[team_id]
        named = named_changes(changed, agents, teams)
        if topic == "lead.stage_changed":
            named["lead.stage"] = [payload.get("from_stage"), payload.get("to_stage")]
        contexts.append(
            event_context(
                topic=topic,
                now=now,
                ticket=ticket,
                customer=customer,
                changes=named,
                message=message,
                payload=payload,
                schedule=schedule,
                lead=lead,
            )
        )
    return contexts


async def build_context(
    *,
    topic: str,
    payload: dict[str, Any],
    ticket_id: int | None,
    now: datetime,
    parts: Parts = ALL_PARTS,
) -> dict[str, Any]:
    """The context of one event (or of a time rule's pass)."""
    return (await build_contexts([(topic, payload, ticket_id)], now=now, parts=parts))[0]


def template_variables(context: dict[str, Any]) -> dict[str, Any]:
    """What templates see: always the same keys (None where the event has no such thing)."""
    ticket = context.get("ticket") or {}
    customer = context.get("customer") or {}
    survey = context.get("survey") or {}
    base = get_settings().base_url
    return {
        "ticket": {
            **{
                k: ticket.get(k)
                for k in (
                    "id",
                    "subject",
                    "status",
                    "priority",
                    "channel",
                    "tags",
                    "assignee",
                    "team",
                )
            },
            "url": f"{base}/tickets/{ticket['id']}" if ticket.get("id") else None,
        },
        "customer": {k: customer.get(k) for k in ("id", "name", "email")},
        "agent": {
            "id": ticket.get("assignee_id"),
            "name": ticket.get("assignee_name"),
            "email": ticket.get("assignee"),
        },
        "survey": {k: survey.get(k) for k in ("kind", "rating", "comment")},
        "lead": {k: (context.get("lead") or {}).get(k) for k in ("id", "stage", "value")},
    }
