"""Named reads of the SLA facts."""

from __future__ import annotations

from datetime import datetime

from servicedesk.cx.tables import TicketMetrics

M = TicketMetrics
WORKING = ("new", "open", "pending", "on_hold")


async def breaching_ticket_ids(*, due_before: datetime, limit: int) -> list[int]:
    """Working tickets whose next SLA target is due before `due_before` (breached ones
    included: their due time is past), soonest first."""
    rows = (
        await M.select(M.ticket)
        .where(M.sla_due_at <= due_before, M.status.is_in(list(WORKING)))
        .order_by(M.sla_due_at)
        .order_by(M.ticket)
        .limit(limit)
    )
    return [int(row["ticket"]) for row in rows]
