"""The web form door: JSON and plain HTML posts, CORS, the honeypot, the rate limit, and
its optional fields as rules see them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from servicedesk.channels.form import form_fields, spam_count
from servicedesk.channels.tables import FormSubmission
from servicedesk.settings import get_settings
from servicedesk.tickets.tables import Interaction, Ticket

URL = "/api/channels/form/inbound"
SHOP = "https://shop.example"
POST = {
    "name": "Ann Example",
    "email": "Ann@Mail.example",
    "subject": "Where is my order?",
    "message": "It has not arrived yet.",
}


@pytest.fixture(autouse=True)
def allowed_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORM_ALLOWED_ORIGINS", f"{SHOP}, https://other.example")
    get_settings.cache_clear()


async def tickets() -> list[dict[str, Any]]:
    return list(await Ticket.select().order_by(Ticket.id))


async def test_a_json_post_opens_a_web_ticket_for_the_sender(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL, json=POST | {"phone": "+44 20 7946 0958", "order_number": "A-1001"}
    )
    assert response.status_code == 202, response.text
    assert response.json() == {"status": "received"}
    [ticket] = await tickets()
    assert ticket["channel"] == "web"
    assert ticket["subject"] == "Where is my order?"
    [message] = await Interaction.select().where(Interaction.ticket == ticket["id"])
    assert message["body_text"].startswith("It has not arrived yet.")
    assert "Order number: A-1001" in message["body_text"]
    assert await form_fields(ticket_id=ticket["id"]) == {"order_number": "A-1001"}


async def test_a_plain_html_form_posts_urlencoded(client: httpx.AsyncClient) -> None:
    response = await client.post(
        URL, data=POST | {"interest": "pricing", "website": ""}, headers={"Origin": SHOP}
    )
    assert response.status_code == 202, response.text
    assert response.headers["access-control-allow-origin"] == SHOP
    [ticket] = await tickets()
    assert await form_fields(ticket_id=ticket["id"]) == {"interest": "pricing"}


async def test_problems_name_the_field(client: httpx.AsyncClient) -> None:
    missing = await client.post(URL, json={k: v for k, v in POST.items() if k != "email"})
    assert missing.status_code == 400
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["errors"][0]["field"] == "email"
    bad = await client.post(URL, json=POST | {"email": "not-an-address"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "email", "message": bad.json()["detail"]}]
    odd = await client.post(URL, json=POST | {"Bad Name": "x"})
    assert odd.status_code == 422
    assert odd.json()["errors"][0]["field"] == "fields.Bad Name"
    phone = await client.post(URL, data=POST | {"phone": "12"})
    assert phone.status_code == 422
    assert phone.json()["errors"][0]["field"] == "phone"
    media = await client.post(URL, content=b"hello", headers={"Content-Type": "text/plain"})
    assert media.status_code == 415
    assert await tickets() == []


async def test_cors_preflight_for_allowed_origins_only(client: httpx.AsyncClient) -> None:
    headers = {"Origin": SHOP, "Access-Control-Request-Method": "POST"}
    allowed = await client.options(URL, headers=headers)
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == SHOP
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert allowed.headers["access-control-allow-headers"] == "Content-Type"
    refused = await client.options(URL, headers=headers | {"Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers
    assert refused.json()["errors"][0]["field"] == "origin"


async def test_posts_from_other_origins_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=POST, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    assert response.json()["errors"][0]["field"] == "origin"
    # The desk's own /contact page (BASE_URL's origin) may always post.
    own = get_settings().base_url
    assert (await client.post(URL, json=POST, headers={"Origin": own})).status_code == 202
    assert len(await tickets()) == 1


async def test_a_filled_honeypot_is_answered_alike_but_stores_nothing(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(URL, data=POST | {"website": "http://spam.example"})
    assert response.status_code == 202
    assert response.json() == {"status": "received"}
    assert await tickets() == []
    assert await spam_count() == 1
    [row] = await FormSubmission.select()
    assert row["spam"] is True and row["ticket"] is None


async def test_the_rate_limit_per_address_and_per_ip(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORM_PER_ADDRESS_PER_HOUR", "2")
    get_settings.cache_clear()
    for _ in range(2):
        assert (await client.post(URL, json=POST)).status_code == 202
    limited = await client.post(URL, json=POST)
    assert limited.status_code == 429
    assert limited.headers["content-type"].startswith("application/problem+json")
    assert 3500 <= int(limited.headers["retry-after"]) <= 3601
    assert limited.json()["errors"][0]["field"] == "email"
    # Another address from the same client IP: the IP is over its limit too.
    other = await client.post(URL, json=POST | {"email": "bob@mail.example"})
    assert other.status_code == 429
    assert other.json()["errors"][0]["field"] == "ip"
    assert len(await tickets()) == 2
