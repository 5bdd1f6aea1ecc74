"""What the outbox asks marketing at send time: which campaign emails must not go now."""

from __future__ import annotations

from typing import Any

from . import queries

CAMPAIGN_TOPIC = "campaign"


async def send_time_blocks(rows: list[dict[str, Any]]) -> dict[int, str]:
    """{outbox id: reason} of the campaign emails among these claimed rows whose customer
    withdrew consent or was suppressed (unsubscribed, bounced, complained) since the email
    was queued. Service mail (replies, surveys) is never blocked here."""
    by_customer: dict[int, list[int]] = {}
    for row in rows:
        payload = row.get("payload") or {}
        if row["topic"] == CAMPAIGN_TOPIC and "customer_id" in payload:
            by_customer.setdefault(int(payload["customer_id"]), []).append(int(row["id"]))
    blocks = await queries.marketing_blocks(list(by_customer))
    return {
        outbox_id: reason
        for customer_id, reason in blocks.items()
        for outbox_id in by_customer[customer_id]
    }
