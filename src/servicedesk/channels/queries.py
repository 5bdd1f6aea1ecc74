"""The named reads of email in."""

from __future__ import annotations

from typing import Any

from servicedesk.db import Sql, fetch_one

_EMAIL_BY_MESSAGE_ID = Sql(
    'SELECT "id", "ticket", "interaction", "status", "reason" FROM "inbound_email"'
    ' WHERE "message_id" = {}'
)
_TICKET_OF_MESSAGE_ID = Sql(
    'SELECT "ticket" FROM "interaction" WHERE "message_id" = {}'
    ' UNION ALL SELECT "ticket" FROM "outbox_message"'
    ' WHERE "message_id" = {} AND "ticket" IS NOT NULL LIMIT 1'
)
_TICKET_OF_SENDER = Sql(
    'SELECT t."id" FROM "ticket" AS t JOIN "customer_identity" AS ci'
    ' ON ci."customer" = t."customer" WHERE t."id" = {} AND ci."key" = {}'
)
_SENT_EMAIL_BY_MESSAGE_ID = Sql(
    'SELECT "id", "ticket", "to_address" FROM "outbox_message"'
    ' WHERE "message_id" = {} AND "kind" = \'email\' LIMIT 1'
)
_RECENT_FROM_SENDER = Sql(
    'SELECT COUNT(*) AS "count" FROM "inbound_email" WHERE "sender" = {} AND "received_at" > {}'
)


async def email_by_message_id(message_id: str) -> dict[str, Any] | None:
    return await fetch_one(_EMAIL_BY_MESSAGE_ID, message_id)


async def ticket_of_message_id(message_id: str) -> int | None:
    """The ticket of a message we received (an interaction) or sent (the outbox)."""
    row = await fetch_one(_TICKET_OF_MESSAGE_ID, message_id, message_id)
    return int(row["ticket"]) if row else None


async def ticket_is_senders(ticket_id: int, sender: str) -> bool:
    """Whether the ticket's customer has this email address."""
    return await fetch_one(_TICKET_OF_SENDER, ticket_id, f"email:{sender}") is not None


async def sent_email_by_message_id(message_id: str) -> dict[str, Any] | None:
    return await fetch_one(_SENT_EMAIL_BY_MESSAGE_ID, message_id)


async def count_recent_from(sender: str, since: Any) -> int:
    row = await fetch_one(_RECENT_FROM_SENDER, sender, since)
    return int(row["count"]) if row else 0
