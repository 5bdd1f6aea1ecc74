"""The named reads of the rules engine (agents, teams, customers, ticket facts, rules)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Min

from servicedesk.accounts.tables import Agent, Team
from servicedesk.customers.tables import Customer, CustomerIdentity
from servicedesk.cx.tables import SurveyResponse
from servicedesk.db import IdsSql, Sql, fetch, id_list, is_sqlite
from servicedesk.tickets.service import WORKING
from servicedesk.tickets.tables import Interaction, Ticket, TicketEvent

from .tables import Rule


async def agent_by_email(email: str) -> dict[str, Any] | None:
    return await Agent.select().where(Agent.email == email.strip().lower()).first()


async def team_by_name(name: str) -> dict[str, Any] | None:
    return await Team.select(Team.id, Team.name).where(Team.name == name).first()


async def agents_by_id(ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await Agent.select(Agent.id, Agent.email, Agent.name).where(Agent.id.is_in(ids))
    return {row["id"]: row for row in rows}


async def all_agents() -> dict[int, dict[str, Any]]:
    rows = await Agent.select(Agent.id, Agent.email, Agent.name)
    return {row["id"]: row for row in rows}


async def all_team_names() -> dict[int, str]:
    rows = await Team.select(Team.id, Team.name)
    return {row["id"]: row["name"] for row in rows}


async def team_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Team.select(Team.id, Team.name).where(Team.id.is_in(ids))
    return {row["id"]: row["name"] for row in rows}


async def team_agents(team_id: int, *, role: str | None = None) -> list[dict[str, Any]]:
    """Active agents of a team (of one role if given), by id."""
    where = [Agent.team == team_id, Agent.active.eq(True)]
    if role:
        where.append(Agent.role == role)
    return await Agent.select(Agent.id, Agent.email, Agent.name).where(*where).order_by(Agent.id)


async def last_assigned(agent_ids: list[int]) -> dict[int, Any]:
    """When each agent was last made a ticket's assignee (the audit trail)."""
    rows = (
        await TicketEvent.select(TicketEvent.new_value, TicketEvent.id)
        .where(
            TicketEvent.field == "assignee",
            TicketEvent.new_value.is_in([str(i) for i in agent_ids]),
        )
        .order_by(TicketEvent.id)
    )
    return {int(row["new_value"]): row["id"] for row in rows}


async def open_load(agent_ids: list[int]) -> dict[int, int]:
    """Working tickets assigned to each agent."""
    counts = {agent_id: 0 for agent_id in agent_ids}
    rows = await Ticket.select(Ticket.assignee).where(
        Ticket.assignee.is_in(agent_ids), Ticket.status.is_in(list(WORKING))
    )
    for row in rows:
        counts[row["assignee"]] += 1
    return counts


async def customer(customer_id: int) -> dict[str, Any] | None:
    row = (
        await Customer.select(
            Customer.id,
            Customer.name,
            Customer.tags,
            Customer.email_bounced,
            Customer.marketing_consent,
            Customer.journey_stage,
        )
        .where(Customer.id == customer_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        return None
    email = (
        await CustomerIdentity.select(CustomerIdentity.value)
        .where(CustomerIdentity.customer == customer_id, CustomerIdentity.kind == "email")
        .order_by(CustomerIdentity.id)
        .first()
    )
    row["email"] = email["value"] if email else None
    row["complained"] = await complained(customer_id)
    return row


_COMPLAINED = Sql(
    'SELECT 1 AS "found" FROM "suppression"'
    ' WHERE "customer" = {} AND "reason" = \'complained\' LIMIT 1'
)


async def complained(customer_id: int) -> bool:
    """The customer reported our mail as spam (on the marketing suppression list). The
    ticket facts (_FACTS) carry it for a ticket's customer."""
    return bool(await fetch(_COMPLAINED, customer_id))


async def latest_nps(customer_id: int) -> int | None:
    row = (
        await SurveyResponse.select(SurveyResponse.score)
        .where(SurveyResponse.customer == customer_id, SurveyResponse.kind == "nps")
        .order_by(SurveyResponse.id, ascending=False)
        .first()
    )
    return None if row is None else int(row["score"])


async def rules_version() -> tuple[Any, ...]:
    """Changes whenever a rule is added, changed or deleted (the runner's cache key): a
    change sets updated_at, a deletion lowers the count."""
    latest = (
        await Rule.select(Rule.id, Rule.updated_at)
        .order_by(Rule.updated_at, ascending=False)
        .order_by(Rule.id, ascending=False)
        .first()
    )
    return await Rule.count(), latest and (latest["id"], latest["updated_at"])


async def active_rules() -> list[dict[str, Any]]:
    return (
        await Rule.select()
        .where(Rule.active.eq(True))
        .order_by(Rule.position)
        .order_by(Rule.id)
        .output(load_json=True)
    )


# The ticket and its customer as the rules' context sees them, for many tickets in one
# round trip (the runner reads them for a whole batch of events). The tags' aggregate
# differs by engine; the ticket ids come as one parameter (db.IdsSql).
_FACTS = (
    "SELECT t.*, a.email AS assignee_email, a.name AS assignee_name, tm.name AS team_name,"
    ' (SELECT m.reopens FROM "ticket_metrics" m WHERE m.ticket = t.id) AS reopens,'
    " (SELECT e.created_at FROM \"ticket_event\" e WHERE e.ticket = t.id AND e.field = 'status'"
    " ORDER BY e.id DESC LIMIT 1) AS status_changed_at,"
    ' (SELECT i.created_at FROM "interaction" i WHERE i.ticket = t.id'
    " AND i.direction = 'inbound' ORDER BY i.id DESC LIMIT 1) AS customer_message_at,"
    " {tags} AS tag_list,"
    " c.name AS customer_name, c.tags AS customer_tags, c.email_bounced AS customer_bounced,"
    " c.marketing_consent AS customer_consent, c.journey_stage AS customer_journey,"
    ' (SELECT ci.value FROM "customer_identity" ci WHERE ci.customer = c.id'
    " AND ci.kind = 'email' ORDER BY ci.id LIMIT 1) AS customer_email,"
    " (SELECT s.score FROM \"survey_response\" s WHERE s.customer = c.id AND s.kind = 'nps'"
    " ORDER BY s.id DESC LIMIT 1) AS customer_nps,"
    ' EXISTS (SELECT 1 FROM "suppression" su WHERE su.customer = c.id'
    " AND su.reason = 'complained') AS customer_complained"
    ' FROM "ticket" t LEFT JOIN "agent" a ON a.id = t.assignee'
    ' LEFT JOIN "team" tm ON tm.id = t.team LEFT JOIN "customer" c ON c.id = t.customer'
    " WHERE t.id {{ids}}"
)
_FACTS_POSTGRES = IdsSql(
    _FACTS.format(
        tags="(SELECT COALESCE(json_agg(g.tag ORDER BY g.id), '[]') FROM \"ticket_tag\" g"
        " WHERE g.ticket = t.id)"
    )
).postgres
_FACTS_SQLITE = IdsSql(
    _FACTS.format(
        tags='(SELECT json_group_array(g.tag) FROM (SELECT tag FROM "ticket_tag" g'
        " WHERE g.ticket = t.id ORDER BY g.id) g)"
    )
).sqlite


def _parsed(value: Any, kind: type) -> Any:
    """A value a subquery returned as text on SQLite (no declared type to convert by)."""
    if isinstance(value, str):
        if kind is datetime:
            return datetime.fromisoformat(value)
        if kind is list:
            return json.loads(value)
    return value


async def ticket_facts(ticket_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each ticket's row with what the context adds (assignee, team, reopens, tags, the
    times of its last status change and customer message, its customer and their email
    and latest NPS score), in one query; missing tickets are left out."""
    if not ticket_ids:
        return {}
    rows = await fetch(_FACTS_SQLITE if is_sqlite() else _FACTS_POSTGRES, id_list(ticket_ids))
    found = {}
    for row in rows:
        for name in ("created_at", "updated_at", "solved_at", "status_changed_at"):
            row[name] = _parsed(row[name], datetime)
        row["customer_message_at"] = _parsed(row["customer_message_at"], datetime)
        row["tag_list"] = _parsed(row["tag_list"], list)
        row["customer_tags"] = _parsed(row["customer_tags"], list) or []
        found[int(row["id"])] = row
    return found


async def opening_messages(ticket_ids: list[int]) -> dict[int, int]:
    """Each ticket's opening customer message id (what ticket.created stands for)."""
    if not ticket_ids:
        return {}
    rows = (
        await Interaction.select(Interaction.ticket, Min(Interaction.id).as_alias("first"))
        .where(Interaction.ticket.is_in(ticket_ids), Interaction.direction == "inbound")
        .group_by(Interaction.ticket)
    )
    return {int(row["ticket"]): int(row["first"]) for row in rows}


async def interactions(ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await Interaction.select(
        Interaction.id, Interaction.body_text, Interaction.channel
    ).where(Interaction.id.is_in(ids))
    return {int(row["id"]): row for row in rows}
