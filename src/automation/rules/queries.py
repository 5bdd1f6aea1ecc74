"""The named reads of the rules engine (agents, teams, customers, ticket facts, rules)."""

from __future__ import annotations

from typing import Any

from servicedesk.accounts.tables import Agent, Team
from servicedesk.customers.tables import Customer, CustomerIdentity
from servicedesk.cx.tables import SurveyResponse, TicketMetrics
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
    return row


async def latest_nps(customer_id: int) -> int | None:
    row = (
        await SurveyResponse.select(SurveyResponse.score)
        .where(SurveyResponse.customer == customer_id, SurveyResponse.kind == "nps")
        .order_by(SurveyResponse.id, ascending=False)
        .first()
    )
    return None if row is None else int(row["score"])


async def ticket_row(ticket_id: int) -> dict[str, Any] | None:
    return await Ticket.select().where(Ticket.id == ticket_id).first()


async def status_changed_at(ticket_id: int) -> Any:
    row = (
        await TicketEvent.select(TicketEvent.created_at)
        .where(TicketEvent.ticket == ticket_id, TicketEvent.field == "status")
        .order_by(TicketEvent.id, ascending=False)
        .first()
    )
    return row["created_at"] if row else None


async def customer_message_at(ticket_id: int) -> Any:
    row = (
        await Interaction.select(Interaction.created_at)
        .where(Interaction.ticket == ticket_id, Interaction.direction == "inbound")
        .order_by(Interaction.id, ascending=False)
        .first()
    )
    return row["created_at"] if row else None


async def reopens(ticket_id: int) -> int:
    row = (
        await TicketMetrics.select(TicketMetrics.reopens)
        .where(TicketMetrics.ticket == ticket_id)
        .first()
    )
    return int(row["reopens"]) if row else 0


async def interaction(interaction_id: int) -> dict[str, Any] | None:
    return (
        await Interaction.select(Interaction.body_text, Interaction.channel)
        .where(Interaction.id == interaction_id)
        .first()
    )


async def first_message_id(ticket_id: int) -> int | None:
    """The ticket's opening customer message (what ticket.created stands for)."""
    row = (
        await Interaction.select(Interaction.id)
        .where(Interaction.ticket == ticket_id, Interaction.direction == "inbound")
        .order_by(Interaction.id)
        .first()
    )
    return int(row["id"]) if row else None


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
