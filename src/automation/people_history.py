"""The customers' and the leads' events, rebuilt for the dry run (automation.history
holds the tickets' and puts them all together):

- `customer.created`: each customer's row (created_at); imported customers too, as
  imported tickets raise ticket.created there.
- `lead.stage_changed`: each "stage" line of a lead's history, with the lead's value,
  currency and owner as they were (its later edits undone) and its source ticket as it
  was. A lead created in a stage raised none; a deleted lead's history is gone.
"""

from __future__ import annotations

import bisect
from datetime import datetime
from typing import TYPE_CHECKING, Any

from servicedesk.customers.tables import Customer
from servicedesk.db import chunks
from servicedesk.sales.tables import Lead, LeadEvent

# automation.history imports this module, so its names are imported where they are used.
if TYPE_CHECKING:
    from .history import HistoryEvent

CUSTOMER_CREATED = "customer.created"
STAGE_CHANGED = "lead.stage_changed"


async def customers_created(start: datetime, end: datetime) -> list[HistoryEvent]:
    from .history import HistoryEvent

    rows = await Customer.select(Customer.id, Customer.created_at).where(
        Customer.created_at >= start, Customer.created_at < end
    )
    return [
        HistoryEvent(CUSTOMER_CREATED, row["created_at"], None, payload={"customer_id": row["id"]})
        for row in rows
    ]


async def lead_stage_changes(start: datetime, end: datetime) -> list[HistoryEvent]:
    """Each stage change of [start, end) with the live payload {lead_id, customer_id,
    from_stage, to_stage, value}, the lead as it was and its source ticket as it was."""
    from .history import HistoryEvent, ticket_histories

    moves = (
        await LeadEvent.select()
        .where(LeadEvent.kind == "stage", LeadEvent.at >= start, LeadEvent.at < end)
        .order_by(LeadEvent.at)
        .order_by(LeadEvent.id)
    )
    lead_ids = sorted({int(row["lead"]) for row in moves})
    leads: dict[int, dict[str, Any]] = {}
    edits: dict[int, list[dict[str, Any]]] = {}
    for part in chunks(lead_ids):
        for row in await Lead.select().where(Lead.id.is_in(list(part))):
            leads[int(row["id"])] = row
        for row in (
            await LeadEvent.select(LeadEvent.id, LeadEvent.lead, LeadEvent.changes, LeadEvent.at)
            .where(LeadEvent.lead.is_in(list(part)), LeadEvent.kind == "changed")
            .output(load_json=True)
        ):
            edits.setdefault(int(row["lead"]), []).append(row)
    sources = {int(lead["source_ticket"]) for lead in leads.values() if lead["source_ticket"]}
    tickets = await ticket_histories(sorted(sources), end)
    events = []
    for move in moves:
        lead = leads[int(move["lead"])]
        facts = _lead_as_of(lead, edits.get(int(lead["id"]), []), move)
        payload = {
            "lead_id": lead["id"],
            "customer_id": lead["customer"],
            "from_stage": move["from_stage"],
            "to_stage": move["to_stage"],
            "value": facts["value"],
        }
        ticket = _state_at(tickets.get(lead["source_ticket"]), move["at"])
        events.append(HistoryEvent(STAGE_CHANGED, move["at"], ticket, payload=payload, lead=facts))
    return events


def _lead_as_of(
    lead: dict[str, Any], edits: list[dict[str, Any]], move: dict[str, Any]
) -> dict[str, Any]:
    """The lead as lead_facts shows it, just after the stage change `move`: its value,
    currency and owner now with the edits made since undone (a value a later capture or
    merge filled in is not: their lines do not tell whether it was taken)."""
    facts = {
        "id": lead["id"],
        "stage": move["to_stage"],
        "value": lead["value_cents"] / 100,
        "currency": lead["currency"],
        "owner_id": lead["owner"],
        "customer_id": lead["customer"],
    }
    moment = (move["at"], move["id"])
    for edit in sorted(edits, key=lambda row: (row["at"], row["id"]), reverse=True):
        if (edit["at"], edit["id"]) <= moment:
            break
        for name, (old, _new) in (edit["changes"] or {}).items():
            if name in ("value", "currency", "owner_id"):
                facts[name] = old
    return facts


def _state_at(history: list[HistoryEvent] | None, at: datetime) -> dict[str, Any] | None:
    """The ticket as it was at `at` (after the events of that moment); None before it
    was created."""
    if not history:
        return None
    index = bisect.bisect_right([event.at for event in history], at) - 1
    return history[index].ticket if index >= 0 else None
