"""Cross-domain customer steps: merging two customers moves their whole history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from servicedesk.actors import Actor
from servicedesk.clock import utcnow
from servicedesk.cx import facts
from servicedesk.cx.tables import Survey, SurveyResponse, TicketMetrics
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict
from servicedesk.tickets.tables import Interaction, Ticket, TicketEvent

from . import service
from .tables import Customer, CustomerIdentity, JourneyChange


async def merge_customers(
    *, keep_id: int, other_id: int, actor: Actor, now: datetime | None = None
) -> None:
    """Moves identities, tickets, interactions, facts and survey answers of `other` into
    `keep`; `other` stays as a pointer to `keep`, so old references still resolve."""
    now = now or utcnow()
    if keep_id == other_id:
        raise Conflict("a customer cannot be merged into itself", field="other_id")
    async with write_transaction():
        keep = await service.get_customer(customer_id=keep_id)
        other = await service.get_customer(customer_id=other_id)
        if keep["merged_into"] or other["merged_into"]:
            raise Conflict(
                "one of these customers was already merged into another", field="other_id"
            )
        moved = await Ticket.select(Ticket.id).where(Ticket.customer == other_id)
        for table in (
            CustomerIdentity,
            Ticket,
            Interaction,
            TicketMetrics,
            Survey,
            SurveyResponse,
            JourneyChange,
        ):
            await table.update({table.customer: keep_id}).where(table.customer == other_id)  # type: ignore[attr-defined]
        for row in moved:
            await TicketEvent.insert(
                TicketEvent(
                    ticket=row["id"],
                    actor_kind=actor.kind,
                    actor_agent=actor.agent_id,
                    actor_label=actor.label,
                    field="customer",
                    old_value=str(other_id),
                    new_value=str(keep_id),
                    created_at=now,
                )
            )
        changes: dict[Any, Any] = {
            Customer.notes: "\n".join(n for n in (keep["notes"], other["notes"]) if n),
            Customer.tags: sorted(set(keep["tags"] or []) | set(other["tags"] or [])),
        }
        if not keep["external_id"] and other["external_id"]:
            await Customer.update({Customer.external_id: None}).where(Customer.id == other_id)
            changes[Customer.external_id] = other["external_id"]
        await Customer.update(changes).where(Customer.id == keep_id)
        await Customer.update({Customer.merged_into: keep_id}).where(Customer.id == other_id)
        await facts.recompute_repeat_contacts(customer_id=keep_id)
