"""Posting one webhook delivery (an outbox row of kind "webhook"), signed as the spec says:
`Servicedesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import httpx

from servicedesk.errors import Invalid
from servicedesk.plugins import DeliveryFailed

from .addresses import check_url
from .tables import Webhook

# A receiver that does not answer in time counts as a failed attempt (retried with backoff);
# the worker must not hang on it.
TIMEOUT = httpx.Timeout(10.0, connect=5.0, read=10.0)
SIGNATURE_HEADER = "Servicedesk-Signature"
USER_AGENT = "servicedesk-webhooks/1"


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The header's value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


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
    try:
        # Checked again at each delivery: the host's name may point elsewhere by now.
        await check_url(webhook["url"])
    except Invalid as exc:
        raise DeliveryFailed(exc.detail) from exc
    body = payload["body"].encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(webhook["secret"], body, int(time.time())),
        # The same for every attempt of this delivery: receivers can drop duplicates.
        "Servicedesk-Delivery": str(row["id"]),
    }
    try:
        # No redirects: a 3xx could lead to an address the check above would refuse.
        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
            response = await client.post(webhook["url"], content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc
    if not response.is_success:
        raise DeliveryFailed(f"HTTP {response.status_code} {response.text[:200]}".strip())
