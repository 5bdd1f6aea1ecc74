"""Sales leads: capture (by hand, from a ticket, by a rule), one open lead per customer
(a second capture folds into it), owners in turn within the sales team, stage changes with
their history and the `lead.stage_changed` event, edits (merges: merges.py).

Every change writes a LeadEvent (who and when) in the change's transaction; a stage change
also writes the domain event to the outbox there (rules and webhooks react after commit)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from servicedesk import writes
from servicedesk.accounts.tables import Agent, Team
from servicedesk.actors import Actor
from servicedesk.customers.tables import Customer
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, Forbidden, Invalid, NotFound
from servicedesk.outbox import service as outbox
from servicedesk.settings import get_settings
from servicedesk.tickets.tables import Ticket

from . import queries
from .tables import Lead, LeadEvent

CLOSED = ("won", "lost")
STAGE_CHANGED = "lead.stage_changed"
EDITABLE = ("value", "currency", "owner_id", "expected_close_date", "lost_reason")


def stages() -> list[str]:
    """The pipeline's stages in order (LEAD_STAGES); won and lost are always among them."""
    found = [s.strip().lower() for s in get_settings().lead_stages.split(",") if s.strip()]
    found = list(dict.fromkeys(found))
    return [s for s in found if s not in CLOSED] + list(CLOSED)


def open_stages() -> list[str]:
    return [s for s in stages() if s not in CLOSED]


def check_stage(stage: str, field: str = "stage") -> str:
    if stage not in stages():
        raise Invalid(f"{stage!r} is not a stage; one of {', '.join(stages())}", field=field)
    return stage


def cents(value: float | int | None) -> int:
    return round(float(value or 0) * 100)


@dataclass(frozen=True)
class Captured:
    lead_id: int
    created: bool  # False: folded into the customer's open lead


# ---------------------------------------------------------------- history and events


async def record(
    lead_id: int,
    kind: str,
    actor: Actor,
    now: datetime,
    *,
    from_stage: str | None = None,
    to_stage: str | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    await LeadEvent.insert(
        LeadEvent(
            lead=lead_id,
            kind=kind,
            from_stage=from_stage,
            to_stage=to_stage,
            changes=json.dumps(changes or {}, default=str),
            actor_kind=actor.kind,
            actor_agent=actor.agent_id,
            actor_label=actor.label,
            at=now,
        )
    )


async def load_lead(lead_id: int, field: str = "lead_id") -> dict[str, Any]:
    row = await Lead.select().where(Lead.id == lead_id).first()
    if not row:
        raise NotFound(f"lead {lead_id} does not exist", field=field)
    return dict(row)


def _may_change(lead: dict[str, Any], actor: Actor) -> None:
    """Agents (the role) change the leads they own and unowned ones; leads and admins all."""
    if _is_agent_role(actor) and lead["owner"] not in (None, actor.agent_id):
        raise Forbidden("agents change only the leads they own", field="lead_id")


def _is_agent_role(actor: Actor) -> bool:
    return actor.kind == "agent" and actor.role == "agent"


# ---------------------------------------------------------------- owners


async def _team_id(name: str | None, field: str) -> int | None:
    if not name:
        return None
    row = await Team.select(Team.id).where(Team.name == name).first()
    if row is None:
        raise Invalid(f"no team is named {name!r}", field=field)
    return int(row["id"])


async def round_robin_owner(team_id: int) -> int | None:
    """The team's active agent whose newest lead is the oldest (never given one: first;
    ties by id), or None for a team without agents."""
    agents = await queries.team_agents(team_id)
    last = await queries.last_lead_of_owners(agents)
    return min(agents, key=lambda a: (last.get(a, 0), a)) if agents else None


async def _check_owner(owner_id: int) -> int:
    row = await Agent.select(Agent.active).where(Agent.id == owner_id).first()
    if row is None or not row["active"]:
        raise Invalid(f"no active agent has the id {owner_id}", field="owner_id")
    return owner_id


# ---------------------------------------------------------------- capture


async def create_lead(
    *,
    actor: Actor,
    now: datetime,
    customer_id: int | None = None,
    ticket_id: int | None = None,
    value: float | None = None,
    currency: str | None = None,
    stage: str | None = None,
    owner_id: int | None = None,
    team: str | None = None,
    expected_close_date: date | None = None,
    source_channel: str | None = None,
) -> Captured:
    """A lead for a customer (or a ticket's customer). A customer with an open lead gets
    no second one: the capture is folded into it (a `contact` line in its history; a value
    fills a lead without one; a later stage moves it on)."""
    stage = check_stage(stage or stages()[0])
    async with write_transaction():
        channel = source_channel or "manual"
        if ticket_id is not None:
            ticket = (
                await Ticket.select(Ticket.customer, Ticket.channel)
                .where(Ticket.id == ticket_id)
                .first()
            )
            if ticket is None:
                raise NotFound(f"ticket {ticket_id} does not exist", field="ticket_id")
            if customer_id is not None and customer_id != ticket["customer"]:
                raise Invalid("the ticket belongs to another customer", field="ticket_id")
            customer_id = int(ticket["customer"])
            channel = source_channel or ticket["channel"]
        if customer_id is None:
            raise Invalid("name a customer_id or a ticket_id", field="customer_id")
        customer = (
            await Customer.select(Customer.merged_into).where(Customer.id == customer_id).first()
        )
        if customer is None:
            raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
        customer_id = int(customer["merged_into"] or customer_id)
        existing = await queries.open_lead_of(customer_id)
        if existing is None:
            if owner_id is not None:
                owner: int | None = await _check_owner(owner_id)
                team_id = await _team_id(team, "team")
            else:
                team_id = await _team_id(team, "team")
                if team_id is None and get_settings().sales_team:
                    found = (
                        await Team.select(Team.id)
                        .where(Team.name == get_settings().sales_team)
                        .first()
                    )
                    team_id = int(found["id"]) if found else None
                owner = await round_robin_owner(team_id) if team_id is not None else None
                if owner is None and actor.kind == "agent":
                    owner = actor.agent_id
            days = get_settings().lead_attribution_days
            closed = stage in CLOSED
            row = {
                "customer": customer_id,
                "source_channel": channel[:20],
                "source_ticket": ticket_id,
                "stage": stage,
                "value_cents": cents(value),
                "currency": (currency or get_settings().sales_currency).upper(),
                "owner": owner,
                "team": team_id,
                "expected_close_date": expected_close_date,
                "lost_reason": "",
                "campaign": await queries.attributed_campaign(
                    customer_id, now - timedelta(days=days), now
                ),
                "merged_into": None,
                "open_key": None if closed else str(customer_id),
                "created_at": now,
                "updated_at": now,
                "stage_changed_at": now,
                "closed_at": now if closed else None,
            }
            inserted = await writes.insert_rows(Lead, [row], skip_conflicts_on="open_key")
            if inserted:
                lead_id = int(inserted[0]["id"])
                await record(
                    lead_id,
                    "created",
                    actor,
                    now,
                    to_stage=stage,
                    changes={"ticket_id": ticket_id, "channel": channel, "owner_id": owner},
                )
                return Captured(lead_id, True)
            # Another contact created it a moment ago (PostgreSQL): fold into that one.
            existing = await queries.open_lead_of(customer_id)
            assert existing is not None
        await _fold(existing, actor, now, ticket_id=ticket_id, channel=channel, value=value)
        if stage != existing["stage"] and stages().index(stage) > stages().index(existing["stage"]):
            await move_to(existing, stage, actor, now)
        return Captured(int(existing["id"]), False)


async def _fold(
    lead: dict[str, Any],
    actor: Actor,
    now: datetime,
    *,
    ticket_id: int | None,
    channel: str,
    value: float | None,
) -> None:
    values: dict[Any, Any] = {Lead.updated_at: now}
    if value and not lead["value_cents"]:
        values[Lead.value_cents] = lead["value_cents"] = cents(value)
    await Lead.update(values).where(Lead.id == lead["id"])
    await record(
        int(lead["id"]),
        "contact",
        actor,
        now,
        changes={"ticket_id": ticket_id, "channel": channel, "value": value},
    )


# ---------------------------------------------------------------- stages


async def set_stage(
    *, lead_id: int, stage: str, actor: Actor, now: datetime, lost_reason: str | None = None
) -> bool:
    """Moves a lead to a stage (any stage, back too; won and lost close it, reopening is
    moving it to an open stage). Returns False when it already was there."""
    check_stage(stage)
    async with write_transaction():
        lead = await load_lead(lead_id)
        _may_change(lead, actor)
        if lead["merged_into"] is not None:
            raise Conflict(f"the lead was merged into lead {lead['merged_into']}", field="lead_id")
        if lost_reason is not None and stage == "lost":
            await _edit(lead, {"lost_reason": lost_reason}, actor, now)
        if lead["stage"] == stage:
            return False
        await move_to(lead, stage, actor, now)
        return True


async def move_to(lead: dict[str, Any], stage: str, actor: Actor, now: datetime) -> None:
    old, closed = lead["stage"], stage in CLOSED
    open_key = None if closed else str(lead["customer"])
    if open_key is not None and lead["open_key"] is None:
        other = await queries.open_lead_of(int(lead["customer"]))
        if other is not None and other["id"] != lead["id"]:
            raise Conflict(
                f"the customer has an open lead already (lead {other['id']}); merge them",
                field="stage",
            )
    await Lead.update(
        {
            Lead.stage: stage,
            Lead.open_key: open_key,
            Lead.stage_changed_at: now,
            Lead.updated_at: now,
            Lead.closed_at: now if closed else None,
        }
    ).where(Lead.id == lead["id"])
    lead.update(stage=stage, open_key=open_key)
    await record(int(lead["id"]), "stage", actor, now, from_stage=old, to_stage=stage)
    await outbox.emit_event(
        topic=STAGE_CHANGED,
        payload={
            "lead_id": lead["id"],
            "customer_id": lead["customer"],
            "from_stage": old,
            "to_stage": stage,
            "value": lead["value_cents"] / 100,
        },
        ticket_id=lead["source_ticket"],
        now=now,
    )


# ---------------------------------------------------------------- edits and merges


async def update_lead(
    *, lead_id: int, changes: dict[str, Any], actor: Actor, now: datetime
) -> None:
    """Changes value, currency, owner, expected close date, lost reason (one history line
    with each field's [old, new])."""
    async with write_transaction():
        lead = await load_lead(lead_id)
        _may_change(lead, actor)
        if lead["merged_into"] is not None:
            raise Conflict(f"the lead was merged into lead {lead['merged_into']}", field="lead_id")
        await _edit(lead, changes, actor, now)


_COLUMNS = {
    "value": "value_cents",
    "currency": "currency",
    "owner_id": "owner",
    "expected_close_date": "expected_close_date",
    "lost_reason": "lost_reason",
}


async def _edit(lead: dict[str, Any], changes: dict[str, Any], actor: Actor, now: datetime) -> None:
    found: dict[str, list[Any]] = {}
    values: dict[Any, Any] = {}
    for name, new in changes.items():
        column = _COLUMNS.get(name)
        if column is None:
            raise Invalid(f"{name} cannot be changed here", field=name)
        if name == "value":
            new = cents(new)
        elif name == "currency":
            if new is None:
                raise Invalid("a lead has a currency", field="currency")
            new = str(new).upper()
        elif name == "lost_reason":
            new = new or ""
        elif name == "owner_id" and new is not None:
            await _check_owner(int(new))
            if _is_agent_role(actor) and new != actor.agent_id:
                raise Forbidden("agents give leads only to themselves", field="owner_id")
        if lead[column] != new:
            old = lead[column]
            shown = (old / 100, new / 100) if name == "value" else (old, new)
            found[name] = list(shown)
            values[getattr(Lead, column)] = lead[column] = new
    if values:
        values[Lead.updated_at] = now
        await Lead.update(values).where(Lead.id == lead["id"])
        await record(int(lead["id"]), "changed", actor, now, changes=found)
