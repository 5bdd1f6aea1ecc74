"""Leads as the API and the rules see them: one lead with its history, lists for the
board, the lead facts of the rules' context."""

from __future__ import annotations

from typing import Any

from servicedesk.customers.tables import CustomerIdentity
from servicedesk.errors import NotFound

from . import queries
from .tables import Lead, LeadEvent

_COLUMNS = (
    Lead.id,
    Lead.customer,
    Lead.customer.name.as_alias("customer_name"),
    Lead.source_channel,
    Lead.source_ticket,
    Lead.stage,
    Lead.value_cents,
    Lead.currency,
    Lead.owner,
    Lead.owner.name.as_alias("owner_name"),
    Lead.team,
    Lead.expected_close_date,
    Lead.lost_reason,
    Lead.campaign,
    Lead.merged_into,
    Lead.created_at,
    Lead.updated_at,
    Lead.stage_changed_at,
    Lead.closed_at,
)


def _view(row: dict[str, Any], emails: dict[int, str]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "customer_id": row["customer"],
        "customer_name": row["customer_name"] or "",
        "customer_email": emails.get(row["customer"]),
        "source_channel": row["source_channel"],
        "source_ticket_id": row["source_ticket"],
        "stage": row["stage"],
        "value": row["value_cents"] / 100,
        "currency": row["currency"],
        "owner_id": row["owner"],
        "owner_name": row["owner_name"],
        "team_id": row["team"],
        "expected_close_date": row["expected_close_date"],
        "lost_reason": row["lost_reason"],
        "campaign_id": row["campaign"],
        "merged_into": row["merged_into"],
        "open": row["merged_into"] is None and row["stage"] not in ("won", "lost"),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "stage_changed_at": row["stage_changed_at"],
        "closed_at": row["closed_at"],
    }


async def _emails(customer_ids: list[int]) -> dict[int, str]:
    if not customer_ids:
        return {}
    rows = (
        await CustomerIdentity.select(CustomerIdentity.customer, CustomerIdentity.value)
        .where(
            CustomerIdentity.customer.is_in(sorted(set(customer_ids))),
            CustomerIdentity.kind == "email",
        )
        .order_by(CustomerIdentity.id, ascending=False)
    )
    return {int(r["customer"]): r["value"] for r in rows}  # the first one wins (last set)


async def list_leads(
    *,
    stage: str | None = None,
    owner_id: int | None = None,
    customer_id: int | None = None,
    open_only: bool = False,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Leads not merged away, newest first."""
    query = Lead.select(*_COLUMNS).where(Lead.merged_into.is_null())
    if stage is not None:
        query = query.where(Lead.stage == stage)
    if owner_id is not None:
        query = query.where(Lead.owner == owner_id)
    if customer_id is not None:
        query = query.where(Lead.customer == customer_id)
    if open_only:
        query = query.where(Lead.open_key.is_not_null())
    rows = await query.order_by(Lead.id, ascending=False).limit(limit)
    emails = await _emails([r["customer"] for r in rows])
    return [_view(r, emails) for r in rows]


async def get_lead(*, lead_id: int) -> dict[str, Any]:
    """One lead with its history (the leads merged into it included), oldest first."""
    row = await Lead.select(*_COLUMNS).where(Lead.id == lead_id).first()
    if not row:
        raise NotFound(f"lead {lead_id} does not exist", field="lead_id")
    ids, todo = [lead_id], [lead_id]
    while todo:
        merged = await Lead.select(Lead.id).where(Lead.merged_into.is_in(todo))
        todo = [int(r["id"]) for r in merged if r["id"] not in ids]
        ids.extend(todo)
    history = (
        await LeadEvent.select(
            LeadEvent.lead,
            LeadEvent.kind,
            LeadEvent.from_stage,
            LeadEvent.to_stage,
            LeadEvent.changes,
            LeadEvent.actor_kind,
            LeadEvent.actor_label,
            LeadEvent.at,
        )
        .where(LeadEvent.lead.is_in(ids))
        .order_by(LeadEvent.at)
        .order_by(LeadEvent.id)
        .output(load_json=True)
    )
    view = _view(row, await _emails([row["customer"]]))
    view["history"] = [{**h, "lead_id": h.pop("lead")} for h in history]
    return view


async def lead_facts(*, lead_id: int | None, customer_id: int | None) -> dict[str, Any] | None:
    """The lead a rule sees: the event's lead, else the customer's current lead (open,
    else latest): {id, stage, value, currency, owner_id, customer_id}."""
    row = None
    if lead_id is not None:
        row = await Lead.select().where(Lead.id == lead_id).first()
    if row is None and customer_id is not None:
        row = await queries.current_lead_of(customer_id)
    if row is None:
        return None
    return {
        "id": row["id"],
        "stage": row["stage"],
        "value": row["value_cents"] / 100,
        "currency": row["currency"],
        "owner_id": row["owner"],
        "customer_id": row["customer"],
    }


async def customer_lead_stage(customer_id: int) -> str | None:
    row = await queries.current_lead_of(customer_id)
    return None if row is None else str(row["stage"])
