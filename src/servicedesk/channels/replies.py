"""Agents' public replies on a chat or social ticket go back through the integration the
conversation came from: an outbox row of kind "channel", posted to the integration's
reply_url signed with its secret, retried with backoff like a webhook, listed in the
outbox view. A ticket that did not come through a chat or social door has nowhere to
send to, and its replies stay on the ticket."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from servicedesk.clock import iso
from servicedesk.outbox import service as outbox
from servicedesk.outbox.http import post_signed
from servicedesk.plugins import DeliveryFailed

from .tables import ChannelIntegration, ChannelMessage

KIND = "channel"  # the outbox kind (the column holds 10 characters)
USER_AGENT = "servicedesk-channels/1"


async def queue_reply(
    *, ticket: dict[str, Any], interaction_id: int, body: str, now: datetime
) -> int | None:
    """Queues the post of an agent's reply to the ticket's conversation, in the reply's
    transaction; None when the ticket has no conversation with a reply_url."""
    latest = (
        await ChannelMessage.select(
            ChannelMessage.integration,
            ChannelMessage.conversation_id,
            ChannelMessage.handle,
            ChannelMessage.key,
            ChannelMessage.integration.kind.as_alias("kind"),
            ChannelMessage.integration.platform.as_alias("platform"),
            ChannelMessage.integration.name.as_alias("name"),
            ChannelMessage.integration.reply_url.as_alias("reply_url"),
        )
        .where(ChannelMessage.ticket == ticket["id"])
        .order_by(ChannelMessage.id, ascending=False)
        .first()
    )
    if latest is None or not latest["reply_url"]:
        return None
    text = json.dumps(
        {
            "event": "reply",
            "platform": latest["platform"],
            "conversation_id": latest["conversation_id"],
            "handle": latest["handle"],
            "in_reply_to": latest["key"].partition(":")[2],
            "text": body,
            "ticket_id": ticket["id"],
            "interaction_id": interaction_id,
            "sent_at": iso(now),
        },
        separators=(",", ":"),
    )
    return await outbox.queue_message(
        kind=KIND,
        topic=f"{latest['kind']}.reply",
        payload={"integration_id": latest["integration"], "body": text},
        ticket_id=ticket["id"],
        to=latest["reply_url"],
        subject=latest["name"],
        now=now,
    )


async def deliver_reply(row: dict[str, Any]) -> None:
    """Delivers an outbox row of kind "channel" (see servicedesk.outbox.tasks). Raises
    DeliveryFailed on a refused address, a network error or a non-2xx answer."""
    payload = row["payload"]
    integration = (
        await ChannelIntegration.select(
            ChannelIntegration.reply_url, ChannelIntegration.secret, ChannelIntegration.active
        )
        .where(ChannelIntegration.id == payload["integration_id"])
        .first()
    )
    if integration is None or not integration["active"]:
        raise DeliveryFailed(f"integration {payload['integration_id']} is inactive")
    if not integration["reply_url"]:
        raise DeliveryFailed(f"integration {payload['integration_id']} has no reply_url")
    await post_signed(
        url=integration["reply_url"],
        secret=integration["secret"],
        body=payload["body"].encode(),
        delivery_id=row["id"],
        user_agent=USER_AGENT,
    )
