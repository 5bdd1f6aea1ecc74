"""Posting one webhook delivery (an outbox row of kind "webhook"), signed as the spec says:
`Servicedesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
(servicedesk.outbox.http, shared with the chat and social replies)."""

from __future__ import annotations

from typing import Any

from servicedesk.outbox.http import SIGNATURE_HEADER, post_signed, signature
from servicedesk.plugins import DeliveryFailed

from .tables import Webhook

USER_AGENT = "servicedesk-webhooks/1"
__all__ = ["SIGNATURE_HEADER", "USER_AGENT", "deliver_webhook", "signature"]


async def deliver_webhook(row: dict[str, Any]) -> None:
    """Deliverer (plugin) of outbox rows of kind "webhook". Raises DeliveryFailed on a
    network error or a non-2xx answer, so the outbox retries with backoff."""
    payload = row["payload"]
    webhook = (
        await Webhook.select(Webhook.url, Webhook.secret, Webhook.active)
        .where(Webhook.id == payload["webhook_id"])
        .first()
    )
    if webhook is None:
        raise DeliveryFailed(f"webhook {payload['webhook_id']} was deleted")
    if not webhook["active"]:
        raise DeliveryFailed(f"webhook {payload['webhook_id']} is inactive")
    await post_signed(
        url=webhook["url"],
        secret=webhook["secret"],
        body=payload["body"].encode(),
        delivery_id=row["id"],
        user_agent=USER_AGENT,
    )
