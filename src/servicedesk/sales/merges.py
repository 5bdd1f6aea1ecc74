"""Merging two leads of one customer, and deleting a lead."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from servicedesk.actors import Actor
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, Invalid

from .service import load_lead, move_to, record
from .tables import Lead, LeadEvent


async def merge_leads(*, lead_id: int, other_id: int, actor: Actor, now: datetime) -> None:
    """Folds lead `other_id` into `lead_id` (same customer): the kept lead takes the
    other's value and owner where it has none; the other is marked merged and closed; its
    history stays and shows in the kept lead's history."""
    if other_id == lead_id:
        raise Invalid("a lead cannot be merged into itself", field="other_id")
    async with write_transaction():
        keep = await load_lead(lead_id)
        other = await load_lead(other_id, "other_id")
        for row, field in ((keep, "lead_id"), (other, "other_id")):
            if row["merged_into"] is not None:
                raise Conflict(f"lead {row['id']} was merged already", field=field)
        if keep["customer"] != other["customer"]:
            raise Invalid("the leads belong to different customers", field="other_id")
        await Lead.update(
            {
                Lead.merged_into: lead_id,
                Lead.open_key: None,
                Lead.closed_at: now,
                Lead.updated_at: now,
            }
        ).where(Lead.id == other_id)
        values: dict[Any, Any] = {Lead.updated_at: now}
        if not keep["value_cents"] and other["value_cents"]:
            values[Lead.value_cents] = other["value_cents"]
        if keep["owner"] is None and other["owner"] is not None:
            values[Lead.owner] = other["owner"]
        if keep["open_key"] is None and other["open_key"] is not None:
            # The kept lead was closed and the other open: it reopens in the other's stage.
            values[Lead.open_key] = other["open_key"]
        await Lead.update(values).where(Lead.id == lead_id)
        if Lead.open_key in values:
            await move_to(keep | {"open_key": other["open_key"]}, other["stage"], actor, now)
        await record(
            lead_id,
            "merged",
            actor,
            now,
            changes={
                "lead_id": other_id,
                "stage": other["stage"],
                "value": other["value_cents"] / 100,
            },
        )


async def move_customer_leads(*, keep_id: int, other_id: int, actor: Actor, now: datetime) -> int:
    """Moves customer `other_id`'s leads to `keep_id` (customers.merge, in its transaction).
    One open lead per customer holds after: when both had one, the other's folds into the
    kept customer's, as merge_leads does; a lone open lead takes the kept customer's key.
    Returns how many leads moved."""
    leads = await Lead.select(Lead.id, Lead.open_key).where(Lead.customer == other_id)
    if not leads:
        return 0
    kept_open = await Lead.select(Lead.id).where(
        Lead.customer == keep_id, Lead.open_key.is_not_null()
    )
    other_open = [row["id"] for row in leads if row["open_key"] is not None]
    # The other's open lead leaves its key first: the unique index allows one per customer.
    await Lead.update({Lead.customer: keep_id, Lead.open_key: None}).where(
        Lead.customer == other_id
    )
    if other_open and kept_open:
        await merge_leads(lead_id=kept_open[0]["id"], other_id=other_open[0], actor=actor, now=now)
    elif other_open:
        await Lead.update({Lead.open_key: str(keep_id)}).where(Lead.id == other_open[0])
    return len(leads)


async def delete_lead(*, lead_id: int) -> None:
    """Deletes a lead and its history (leads merged into it keep theirs, unlinked)."""
    async with write_transaction():
        await load_lead(lead_id)
        await Lead.update({Lead.merged_into: None}).where(Lead.merged_into == lead_id)
        await LeadEvent.delete().where(LeadEvent.lead == lead_id)
        await Lead.delete().where(Lead.id == lead_id)
