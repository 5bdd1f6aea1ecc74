"""Webhooks: admins' CRUD, the fan-out of domain events into one outbox row per
(webhook, event), and the queueing of a delivery for the rules' `webhook` action."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from automation.rules.schemas import EVENTS as RULE_EVENTS
from servicedesk.clock import iso, utcnow
from servicedesk.db import write_transaction
from servicedesk.errors import Invalid, NotFound
from servicedesk.outbox import service as outbox
from servicedesk.outbox.addresses import check_url

from .tables import Webhook, WebhookDelivery

KIND = "webhook"
# The topics a webhook may subscribe to: the rules' events (the spec's list) and the other
# domain events the ticketing core writes to the outbox.
EVENTS = (
    *RULE_EVENTS,
    "note.added",
    "ticket.closed",
    "ticket.status_changed",
    "ticket.assigned",
)
# Payload keys that are the desk's own bookkeeping, not the event's data.
INTERNAL_KEYS = ("cause",)


def _check_events(events: list[str]) -> list[str]:
    for index, event in enumerate(events):
        if event not in EVENTS:
            raise Invalid(
                f"unknown event {event!r}; one of {', '.join(EVENTS)}", field=f"events[{index}]"
            )
    return list(dict.fromkeys(events))


async def list_webhooks() -> list[dict[str, Any]]:
    return await Webhook.select().order_by(Webhook.id).output(load_json=True)


async def get_webhook(*, webhook_id: int) -> dict[str, Any]:
    row = await Webhook.select().where(Webhook.id == webhook_id).output(load_json=True).first()
    if row is None:
        raise NotFound(f"webhook {webhook_id} does not exist", field="id")
    return row


async def webhook_exists(webhook_id: int) -> bool:
    """For the rules' `webhook` action: a rule may only name a configured webhook."""
    return bool(await Webhook.exists().where(Webhook.id == webhook_id))


async def webhook_choices() -> list[str]:
    """The ids a rule's `webhook` action may name (the rule editor's picker)."""
    return [str(row["id"]) for row in await Webhook.select(Webhook.id).order_by(Webhook.id)]


async def create_webhook(
    *,
    name: str,
    url: str,
    events: list[str],
    secret: str | None,
    active: bool,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A new webhook; its secret is generated when none is given."""
    now = now or utcnow()
    await check_url(url)
    row = Webhook(
        name=name.strip(),
        url=url,
        events=json.dumps(_check_events(events)),
        secret=secret or secrets.token_hex(32),
        active=active,
        created_at=now,
        updated_at=now,
    )
    await row.save()
    return await get_webhook(webhook_id=row.id)


async def update_webhook(
    *, webhook_id: int, changes: dict[str, Any], now: datetime | None = None
) -> dict[str, Any]:
    now = now or utcnow()
    await get_webhook(webhook_id=webhook_id)
    values: dict[Any, Any] = {Webhook.updated_at: now}
    for field in ("name", "url", "events", "secret", "active"):
        if changes.get(field) is None:
            continue  # a null leaves the field as it is (the secret cannot be blanked)
        value = changes[field]
        if field == "url":
            await check_url(value)
        elif field == "events":
            value = json.dumps(_check_events(value))
        elif field == "name":
            value = value.strip()
        values[Webhook._meta.get_column_by_name(field)] = value
    await Webhook.update(values).where(Webhook.id == webhook_id)
    return await get_webhook(webhook_id=webhook_id)


async def delete_webhook(*, webhook_id: int) -> None:
    """Deletes a webhook; its deliveries still in the outbox fail ("deleted") and stay
    visible there."""
    await get_webhook(webhook_id=webhook_id)
    await Webhook.delete().where(Webhook.id == webhook_id)


def _body(event: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The exact text that is posted and signed; kept in the outbox row so that a retry or
    re-send posts the same bytes."""
    data = {key: value for key, value in data.items() if key not in INTERNAL_KEYS}
    return json.dumps(
        {"event": event, "occurred_at": iso(occurred_at), "data": data}, separators=(",", ":")
    )


async def _queue(
    webhook: dict[str, Any],
    *,
    event: str,
    data: dict[str, Any],
    event_id: int | None,
    occurred_at: datetime,
    now: datetime,
) -> int:
    ticket_id = data.get("ticket_id")
    return await outbox.queue_message(
        kind=KIND,
        topic=event,
        payload={
            "webhook_id": webhook["id"],
            "event_id": event_id,
            "body": _body(event, occurred_at, data),
        },
        ticket_id=ticket_id if isinstance(ticket_id, int) else None,
        to=webhook["url"],
        subject=webhook["name"],
        now=now,
    )


async def queue_delivery(
    *, webhook_id: int, event: str, data: dict[str, Any], now: datetime
) -> int:
    """Queues one post of `event` with `data` to a webhook (the rules' `webhook` action);
    call it inside the rule run's transaction, whose (rule, event) key makes it once.
    Returns the outbox row's id."""
    webhook = await get_webhook(webhook_id=webhook_id)
    return await _queue(webhook, event=event, data=data, event_id=None, occurred_at=now, now=now)


async def fan_out_events(rows: list[dict[str, Any]]) -> dict[int, Exception]:
    """Event consumer (plugin), for a batch of event rows: the active webhooks are read
    once for the batch (an event no webhook listens to costs nothing more)."""
    active = await _active_webhooks()
    failures: dict[int, Exception] = {}
    for row in rows:
        try:
            await _fan_out_event(row, active)
        except Exception as exc:  # the outbox retries the row with backoff
            failures[int(row["id"])] = exc
    return failures


async def _active_webhooks() -> list[dict[str, Any]]:
    return list(
        await Webhook.select(Webhook.id, Webhook.name, Webhook.url, Webhook.events)
        .where(Webhook.active.eq(True))
        .output(load_json=True)
    )


async def _fan_out_event(row: dict[str, Any], active: list[dict[str, Any]]) -> None:
    """Queues one delivery per active webhook subscribed to the event's topic, exactly
    once per (webhook, event) even when the row is consumed again."""
    if row["kind"] != "event":
        return
    topic = row["topic"]
    webhooks = [webhook for webhook in active if topic in webhook["events"]]
    if not webhooks:
        return
    occurred_at, now = row["created_at"], utcnow()
    data = row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"])
    async with write_transaction():
        keys = {webhook["id"]: f"{webhook['id']}:{row['id']}" for webhook in webhooks}
        inserted = (
            await WebhookDelivery.insert(
                *[WebhookDelivery(key=key, created_at=now) for key in keys.values()]
            )
            .on_conflict(target=WebhookDelivery.key, action="DO NOTHING")
            .returning(WebhookDelivery.key)
        )
        new_keys = {item["key"] for item in inserted}
        for webhook in webhooks:
            if keys[webhook["id"]] in new_keys:
                await _queue(
                    webhook,
                    event=topic,
                    data=data,
                    event_id=row["id"],
                    occurred_at=occurred_at,
                    now=now,
                )
