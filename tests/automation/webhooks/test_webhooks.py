"""Webhooks: configured by admins only, refused on private networks, fed by the outbox's
domain events exactly once per (webhook, event), posted signed to a real HTTP server,
retried on failure, failed visibly after the last attempt and re-sent by an admin."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from automation.webhooks import service as webhooks
from servicedesk.clock import as_utc
from servicedesk.customers.service import ContactIdentity
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.outbox.tasks import deliver, deliver_due
from servicedesk.settings import get_settings
from servicedesk.tickets import service as tickets
from tests.conftest import signed_in

from .receiver import Receiver

SECRET = "a-shared-secret-of-the-receiver"
PUBLIC_URL = "https://93.184.216.34/hooks"


def verify(secret: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """What a receiver does: recompute the signature over "<t>.<body>" and compare."""
    parts = dict(item.split("=", 1) for item in headers["Servicedesk-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    assert hmac.compare_digest(parts["v1"], expected.hexdigest())
    assert abs(int(parts["t"]) - time.time()) < 60
    return dict(json.loads(body))


async def create(client: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    body = {"name": "CRM", "url": PUBLIC_URL, "events": ["ticket.created"], **fields}
    return await client.post("/api/automation/webhooks", json=body)


async def open_ticket(email: str = "ann@mail.example") -> int:
    contact = tickets.Contact(
        channel="email", identity=ContactIdentity(email=email), subject="Refund", body="hello"
    )
    ticket_id, _ = await tickets.receive_contact(contact=contact)
    return ticket_id


async def webhook_rows() -> list[dict[str, Any]]:
    return list(
        await OutboxMessage.select()
        .where(OutboxMessage.kind == "webhook")
        .order_by(OutboxMessage.id)
        .output(load_json=True)
    )


# ---------------------------------------------------------------- configuration


async def test_admin_creates_a_webhook_with_a_generated_secret_shown_to_admins(
    admin_client: httpx.AsyncClient,
) -> None:
    created = await create(admin_client, events=["ticket.created", "ticket.solved"])
    assert created.status_code == 201, created.text
    hook = created.json()
    assert len(hook["secret"]) == 64 and hook["active"] is True
    assert hook["events"] == ["ticket.created", "ticket.solved"]

    fetched = await admin_client.get(f"/api/automation/webhooks/{hook['id']}")
    assert fetched.json()["secret"] == hook["secret"]

    patched = await admin_client.patch(
        f"/api/automation/webhooks/{hook['id']}", json={"active": False, "secret": SECRET}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["active"] is False and patched.json()["secret"] == SECRET
    assert patched.json()["url"] == PUBLIC_URL

    assert (await admin_client.delete(f"/api/automation/webhooks/{hook['id']}")).status_code == 204
    missing = await admin_client.get(f"/api/automation/webhooks/{hook['id']}")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("role", ["agent", "lead"])
async def test_agents_and_leads_cannot_see_or_manage_webhooks(
    client: httpx.AsyncClient, role: str
) -> None:
    await signed_in(client, f"{role}@desk.example", role)
    assert (await client.get("/api/automation/webhooks")).status_code == 403
    assert (await create(client)).status_code == 403
    assert await webhooks.list_webhooks() == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ],
)
async def test_loopback_private_and_link_local_urls_are_refused(
    admin_client: httpx.AsyncClient, url: str
) -> None:
    refused = await create(admin_client, url=url)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "url"
    assert "WEBHOOK_ALLOW_PRIVATE" in refused.json()["detail"]


async def test_private_urls_are_allowed_with_the_setting(
    admin_client: httpx.AsyncClient, allow_private: None
) -> None:
    created = await create(admin_client, url="http://127.0.0.1:9/hook")
    assert created.status_code == 201, created.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://93.184.216.34/x"}, "url"),
        ({"url": "https://user:pw@93.184.216.34/x"}, "url"),
        ({"url": "https://no-such-host.invalid/x"}, "url"),
        ({"events": ["ticket.created", "ticket.exploded"]}, "events[1]"),
    ],
)
async def test_bad_webhooks_are_refused_naming_the_field(
    admin_client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    refused = await create(admin_client, **body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == field


async def test_a_short_secret_or_unknown_field_is_a_400(admin_client: httpx.AsyncClient) -> None:
    assert (await create(admin_client, secret="short")).status_code == 400
    assert (await create(admin_client, colour="red")).status_code == 400


# ---------------------------------------------------------------- delivery


async def test_an_event_is_posted_signed_to_each_subscribed_webhook_once(
    admin_client: httpx.AsyncClient, receiver: Receiver
) -> None:
    hook = (await create(admin_client, url=receiver.url, secret=SECRET)).json()
    other = (await create(admin_client, url=receiver.url, events=["ticket.solved"])).json()
    assert other["id"] != hook["id"]

    ticket_id = await open_ticket()
    counts = await deliver_due()
    assert set(counts) == {"sent"}, counts

    assert len(receiver.received) == 1
    post = receiver.received[0]
    assert post.path == "/hooks/desk"
    assert post.headers["Content-Type"] == "application/json"
    body = verify(SECRET, post.headers, post.body)
    assert body["event"] == "ticket.created"
    assert body["data"]["ticket_id"] == ticket_id and body["data"]["channel"] == "email"
    event = (
        await OutboxMessage.select()
        .where(OutboxMessage.topic == "ticket.created", OutboxMessage.kind == "event")
        .first()
    )
    assert event is not None
    occurred = datetime.fromisoformat(body["occurred_at"].replace("Z", "+00:00"))
    assert abs(occurred - as_utc(event["created_at"])) < timedelta(seconds=1)

    # The event consumed again (a worker died before marking it sent) queues nothing new.
    [row] = await webhook_rows()
    assert (
        row["status"] == "sent" and row["ticket"] == ticket_id and row["to_address"] == receiver.url
    )
    event_row = (
        await OutboxMessage.select()
        .where(OutboxMessage.id == event["id"])
        .output(load_json=True)
        .first()
    )
    assert await webhooks.fan_out_events([event_row]) == {}
    assert len(await webhook_rows()) == 1


async def test_inactive_webhooks_and_other_topics_get_nothing(
    admin_client: httpx.AsyncClient, receiver: Receiver
) -> None:
    await create(admin_client, url=receiver.url, active=False)
    await create(admin_client, url=receiver.url, events=["ticket.solved"])
    await open_ticket()
    await deliver_due()
    assert await webhook_rows() == [] and receiver.received == []


async def test_a_failed_post_is_retried_with_backoff_until_it_succeeds(
    admin_client: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.statuses = [500]
    await create(admin_client, url=receiver.url, secret=SECRET)
    await open_ticket()
    await deliver_due()
    [row] = await webhook_rows()
    assert row["status"] == "pending" and row["attempts"] == 1
    assert row["last_error"].startswith("HTTP 500")
    due = as_utc(row["not_before"])
    assert due > datetime.now(UTC) + timedelta(seconds=get_settings().mail_retry_delay_seconds - 5)

    assert await deliver(row["id"]) == "skipped"  # not due yet
    assert await deliver(row["id"], now=due + timedelta(seconds=1)) == "sent"
    assert len(receiver.received) == 2
    first, second = (verify(SECRET, r.headers, r.body) for r in receiver.received)
    assert first == second  # the same body, signed again
    assert receiver.received[0].headers["Servicedesk-Delivery"] == str(row["id"])


async def test_an_unreachable_receiver_fails_after_the_last_attempt_and_an_admin_resends(
    admin_client: httpx.AsyncClient, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAIL_MAX_ATTEMPTS", "2")
    get_settings.cache_clear()
    receiver.statuses = [503, 503]
    await create(admin_client, url=receiver.url, secret=SECRET)
    await open_ticket()
    await deliver_due()
    [row] = await webhook_rows()
    assert await deliver(row["id"], now=as_utc(row["not_before"]) + timedelta(seconds=31)) == (
        "failed"
    )
    [row] = await webhook_rows()
    assert row["status"] == "failed" and row["attempts"] == 2 and "503" in row["last_error"]

    listed = (await admin_client.get("/api/outbox", params={"kind": "webhook"})).json()["items"]
    assert [(i["id"], i["kind"], i["status"], i["to"]) for i in listed] == [
        (row["id"], "webhook", "failed", receiver.url)
    ]
    emails = (await admin_client.get("/api/outbox", params={"kind": "email"})).json()["items"]
    assert all(i["kind"] == "email" for i in emails)

    resent = await admin_client.post(f"/api/outbox/{row['id']}/resend")
    assert resent.status_code == 202, resent.text
    assert await deliver(row["id"]) == "sent"
    assert len(receiver.received) == 3
    verify(SECRET, receiver.received[-1].headers, receiver.received[-1].body)


async def test_a_network_error_counts_as_a_failed_attempt(
    admin_client: httpx.AsyncClient, allow_private: None
) -> None:
    closed = Receiver()  # bound, then closed: nothing listens on its port any more
    url = closed.url
    closed.stop()
    await create(admin_client, url=url)
    await open_ticket()
    await deliver_due()
    [row] = await webhook_rows()
    assert row["status"] == "pending" and "ConnectError" in row["last_error"]


async def test_a_webhook_made_private_after_saving_is_refused_at_delivery(
    admin_client: httpx.AsyncClient, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    await create(admin_client, url=receiver.url)
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE", "0")
    get_settings.cache_clear()
    await open_ticket()
    await deliver_due()
    [row] = await webhook_rows()
    assert row["status"] == "pending" and "WEBHOOK_ALLOW_PRIVATE" in row["last_error"]
    assert receiver.received == []


async def test_queue_delivery_posts_what_a_rule_sends(
    admin_client: httpx.AsyncClient, receiver: Receiver
) -> None:
    hook = (
        await create(admin_client, url=receiver.url, secret=SECRET, events=["ticket.solved"])
    ).json()
    assert await webhooks.webhook_exists(hook["id"]) and not await webhooks.webhook_exists(999)
    now = datetime.now(UTC)
    outbox_id = await webhooks.queue_delivery(
        webhook_id=hook["id"], event="ticket.created", data={"ticket_id": None, "x": 1}, now=now
    )
    assert await deliver(outbox_id) == "sent"
    body = verify(SECRET, receiver.received[0].headers, receiver.received[0].body)
    assert body["event"] == "ticket.created" and body["data"] == {"ticket_id": None, "x": 1}


async def test_a_rules_webhook_action_posts_once_per_event(
    admin_client: httpx.AsyncClient, receiver: Receiver
) -> None:
    from tests.automation.rules.helpers import contact, rule, work

    hook = (
        await create(admin_client, url=receiver.url, secret=SECRET, events=["ticket.solved"])
    ).json()
    refused = await admin_client.post(
        "/api/automation/rules",
        json={
            "name": "Tell the CRM",
            "trigger": {"events": ["ticket.created"]},
            "actions": [{"type": "webhook", "webhook_id": hook["id"] + 1}],
        },
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "actions[0].webhook_id"
    await rule(
        name="Tell the CRM",
        conditions={"all": [{"field": "ticket.subject", "op": "contains", "value": "refund"}]},
        actions=[{"type": "webhook", "webhook_id": hook["id"]}],
    )
    ticket_id = await contact(subject="Refund please")
    await contact(subject="Something else", email="bo@mail.example")
    await work()
    [post] = receiver.received  # the webhook itself subscribes to ticket.solved only
    body = verify(SECRET, post.headers, post.body)
    assert body["event"] == "ticket.created"
    assert body["data"]["rule"] == "Tell the CRM"
    assert body["data"]["ticket"]["id"] == ticket_id
