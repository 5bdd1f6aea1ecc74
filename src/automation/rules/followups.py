"""Follow-up emails cancelled by the customer: by the event consumer (runner) when a
message or reopen is consumed, and by the outbox's send check when one falls due while
such an event is still queued (docs/automation.md)."""

from __future__ import annotations

from typing import Any

from servicedesk.outbox.tables import OutboxMessage

from .messaging_actions import FOLLOW_UP_TOPIC

# The events that cancel a ticket's follow-up emails not sent yet.
CANCELLING = ("message.received", "ticket.reopened")


async def cancel_follow_ups(*, ticket_ids: list[int]) -> int:
    """Drops the follow-up emails of tickets not sent yet (the customer wrote, or the
    ticket was reopened, first); they stay in the outbox as "cancelled". The outbox checks
    again when one falls due (follow_up_cancelled), for an event still in the queue."""
    if not ticket_ids:
        return 0
    rows = (
        await OutboxMessage.update({OutboxMessage.status: "cancelled"})
        .where(
            OutboxMessage.ticket.is_in(ticket_ids),
            OutboxMessage.kind == "email",
            OutboxMessage.topic == FOLLOW_UP_TOPIC,
            OutboxMessage.status == "pending",
        )
        .returning(OutboxMessage.id)
    )
    return len(rows)


async def follow_ups_overtaken(rows: list[dict[str, Any]]) -> dict[int, str]:
    """The outbox's check before sending (plugin send check): a follow-up email is not sent
    if its ticket has a customer message or a reopen it has not been cancelled by yet: an
    event still queued (pending, or being consumed), or one raised after the follow-up was
    scheduled. Earlier events of the ticket were consumed before the rule that scheduled
    it (events run in order per ticket), so a queued one is always newer."""
    follow_ups = [
        row for row in rows if row["topic"] == FOLLOW_UP_TOPIC and row.get("ticket") is not None
    ]
    if not follow_ups:
        return {}
    events = await OutboxMessage.select(
        OutboxMessage.ticket, OutboxMessage.status, OutboxMessage.created_at
    ).where(
        OutboxMessage.kind == "event",
        OutboxMessage.ticket.is_in(sorted({row["ticket"] for row in follow_ups})),
        OutboxMessage.topic.is_in(list(CANCELLING)),
        (OutboxMessage.status.is_in(["pending", "sending"]))
        | (OutboxMessage.created_at > min(row["created_at"] for row in follow_ups)),
    )
    return {
        row["id"]: "the customer wrote or the ticket was reopened after it was scheduled"
        for row in follow_ups
        if any(
            event["ticket"] == row["ticket"]
            and (
                event["status"] in ("pending", "sending") or event["created_at"] > row["created_at"]
            )
            for event in events
        )
    }


async def cancel_again(
    row: dict[str, Any], ticket_id: int | None, changed: set[tuple[str, Any]]
) -> None:
    """The batch's follow-up cancel ran before its rules: a message or reopen after an
    event of the same ticket on which a rule fired (it may have scheduled a follow-up)
    cancels again, as if the events had run one by one."""
    if row["topic"] in CANCELLING and ticket_id is not None and ("ticket", ticket_id) in changed:
        await cancel_follow_ups(ticket_ids=[ticket_id])
