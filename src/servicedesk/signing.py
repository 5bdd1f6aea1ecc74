"""Signed tokens for public links (survey pages, unsubscribe): an HMAC with SECRET_KEY of
the purpose and the value, so a token made for one purpose is refused for another."""

from __future__ import annotations

import hashlib
import hmac

from servicedesk.settings import get_settings


def sign(message: str) -> str:
    key = get_settings().resolved_secret_key().encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:32]


def token(purpose: str, value: str) -> str:
    """`value` with its signature for `purpose`."""
    return f"{value}.{sign(f'{purpose}:{value}')}"


def read(purpose: str, signed: str) -> str | None:
    """The value of a genuine token for `purpose`; None for a forged or foreign one."""
    value, _, signature = signed.rpartition(".")
    if value and hmac.compare_digest(signature, sign(f"{purpose}:{value}")):
        return value
    return None
