"""The context rules are evaluated over, read live from the ticket, its customer and the
event (see conditions.py for its shape), and the variables templates render with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from servicedesk.channels.form import form_fields
from servicedesk.cx.business_hours import Schedule
from servicedesk.cx.facts import team_schedule
from servicedesk.sales import reads as sales
from servicedesk.settings import get_settings
from servicedesk.tickets import service as tickets

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


async def ticket_facts(ticket_id: int) -> dict[str, Any] | None:
    """The ticket as conditions and templates see it, read live."""
    row = await queries.ticket_row(ticket_id)
    if row is None:
        return None
    people = await queries.agents_by_id([row["assignee"]] if row["assignee"] else [])
    teams = await queries.team_names([row["team"]] if row["team"] else [])
    return ticket_view(
        row,
        tags=await tickets.tags_of(ticket_id),
        assignee=people.get(row["assignee"]),
        team=teams.get(row["team"]),
        reopens=await queries.reopens(ticket_id),
        status_changed_at=await queries.status_changed_at(ticket_id),
        customer_message_at=await queries.customer_message_at(ticket_id),
        form=await form_fields(ticket_id=ticket_id),
    )


async def customer_facts(customer_id: int) -> dict[str, Any] | None:
    row = await queries.customer(customer_id)
    if row is None:
        return None
    return {
        "id": row["id"],
        "name": row["name"],
        "email": row["email"],
        "email_bounced": row["email_bounced"],
        "tags": list(row["tags"] or []),
        "journey_stage": row["journey_stage"],
        "lead_stage": await sales.customer_lead_stage(customer_id),
        "nps_category": nps_category(await queries.latest_nps(customer_id)),
        "marketing_consent": bool(row["marketing_consent"]),
    }


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


async def _changes(changes: dict[str, Any]) -> dict[str, Any]:
    agent_ids = [v for v in changes.get("assignee", []) if v is not None]
    team_ids = [v for v in changes.get("team", []) if v is not None]
    return named_changes(
        changes, await queries.agents_by_id(agent_ids), await queries.team_names(team_ids)
    )


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


async def build_context(
    *, topic: str, payload: dict[str, Any], ticket_id: int | None, now: datetime
) -> dict[str, Any]:
    """The context of an event (or of a time rule's pass: topic "time", empty payload)."""
    ticket = await ticket_facts(ticket_id) if ticket_id is not None else None
    customer_id = payload.get("customer_id") or (ticket or {}).get("customer_id")
    message = None
    interaction_id = payload.get("interaction_id")
    if topic == "ticket.created" and ticket is not None:
        # The opening message raises no message.received: ticket.created shows its body.
        interaction_id = await queries.first_message_id(int(ticket["id"]))
    if topic in ("message.received", "reply.sent", "ticket.created") and interaction_id:
        found = await queries.interaction(int(interaction_id))
        if found:
            message = {"body": found["body_text"], "channel": found["channel"]}
    changes = await _changes(payload.get("changes") or {})
    if topic == "lead.stage_changed":
        changes["lead.stage"] = [payload.get("from_stage"), payload.get("to_stage")]
    return event_context(
        topic=topic,
        now=now,
        ticket=ticket,
        customer=await customer_facts(int(customer_id)) if customer_id else None,
        changes=changes,
        message=message,
        payload=payload,
        schedule=await team_schedule(ticket["team_id"]) if ticket else None,
        lead=await sales.lead_facts(
            lead_id=payload.get("lead_id"), customer_id=int(customer_id) if customer_id else None
        ),
    )


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
