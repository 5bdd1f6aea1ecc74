"""Signed HTTP posts of outbox rows (webhooks, chat and social replies): the body is signed
with the receiver's secret, `Servicedesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<body>">`, and the same header scheme signs what chat and social bridges post to us
(servicedesk.channels.messaging checks it with `verify`)."""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx

from servicedesk.errors import Invalid
from servicedesk.plugins import DeliveryFailed

from .addresses import check_url

# A receiver that does not answer in time counts as a failed attempt (retried with backoff);
# the worker must not hang on it.
TIMEOUT = httpx.Timeout(10.0, connect=5.0, read=10.0)
SIGNATURE_HEADER = "Servicedesk-Signature"
DELIVERY_HEADER = "Servicedesk-Delivery"


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The header's value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(secret: str, body: bytes, header: str, *, now: float, tolerance: int) -> str | None:
    """Why a signature header is refused (None: it is genuine and fresh). Any `v1` of the
    header may match (a sender rotating its secret sends two)."""
    parts = [item.strip().partition("=") for item in header.split(",") if "=" in item]
    stamps = [value for name, _, value in parts if name == "t"]
    signatures = [value for name, _, value in parts if name == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
        return f"the {SIGNATURE_HEADER} header must be t=<unix seconds>,v1=<hex HMAC-SHA256>"
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return f"the signature's timestamp is more than {tolerance} seconds away from now"
    expected = signature(secret, body, timestamp).partition(",v1=")[2]
    if not any(hmac.compare_digest(expected, value) for value in signatures):
        return "the signature does not match the body"
    return None


async def post_signed(
    *, url: str, secret: str, body: bytes, delivery_id: int, user_agent: str
) -> None:
    """Posts `body` (JSON) signed with `secret`. Raises DeliveryFailed on an address that
    is refused now, a network error or a non-2xx answer, so the outbox retries with
    backoff."""
    try:
        # Checked again at each delivery: the host's name may point elsewhere by now.
        await check_url(url)
    except Invalid as exc:
        raise DeliveryFailed(exc.detail) from exc
    headers = {
        "Content-Type": "application/json",
        "User-Agent": user_agent,
        SIGNATURE_HEADER: signature(secret, body, int(time.time())),
        # The same for every attempt of this delivery: receivers can drop duplicates.
        DELIVERY_HEADER: str(delivery_id),
    }
    try:
        # No redirects: a 3xx could lead to an address the check above would refuse.
        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc
    if not response.is_success:
        raise DeliveryFailed(f"HTTP {response.status_code} {response.text[:200]}".strip())
