"""Segments: the conditions of automation rules over customer.* fields, counted and listed
live; bad conditions are 422 naming the condition."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from servicedesk.clock import utcnow
from servicedesk.cx import survey_answers

from .conftest import create_segment


async def contact(client: httpx.AsyncClient, email: str, channel: str = "email") -> dict[str, Any]:
    customer = {"email": email, "name": email.split("@")[0].title()}
    created = await client.post(
        "/api/contacts",
        json={"channel": channel, "customer": customer, "subject": "Hi", "body": "Hello"},
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


@pytest.fixture
async def people(lead_client: httpx.AsyncClient) -> dict[str, int]:
    """ann: email + chat, VIP at Acme, promoter, CSAT 5, consented; bob: web, detractor,
    CSAT 2."""
    ann = await contact(lead_client, "ann@acme.example")
    await contact(lead_client, "ann@acme.example", channel="chat")
    bob = await contact(lead_client, "bob@mail.example", channel="web")
    ids = {"ann": ann["ticket"]["customer"]["id"], "bob": bob["ticket"]["customer"]["id"]}
    patched = await lead_client.patch(
        f"/api/customers/{ids['ann']}",
        json={"tags": ["vip"], "organization": "Acme", "marketing_consent": True},
    )
    assert patched.status_code == 200, patched.text
    now = utcnow()
    await survey_answers.record_response(kind="nps", customer_id=ids["ann"], score=10, now=now)
    await survey_answers.record_response(kind="nps", customer_id=ids["bob"], score=3, now=now)
    await survey_answers.record_csat(ticket_id=ann["ticket"]["id"], rating=5, comment=None, now=now)
    await survey_answers.record_csat(ticket_id=bob["ticket"]["id"], rating=2, comment=None, now=now)
    return ids


async def names(
    client: httpx.AsyncClient, *conditions: dict[str, Any], any_: bool = False
) -> list[str]:
    body = {"conditions": {"any" if any_ else "all": list(conditions)}}
    found = await client.post("/api/segments/preview", json=body)
    assert found.status_code == 200, found.text
    page = found.json()
    assert page["count"] == len(page["items"])
    return sorted(item["email"].split("@")[0] for item in page["items"])


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "customer.tags", "op": "contains", "value": "vip"}, ["ann"]),
        ({"field": "customer.tags", "op": "blank"}, ["bob"]),
        ({"field": "customer.channels", "op": "contains", "value": "chat"}, ["ann"]),
        ({"field": "customer.channels", "op": "not_contains", "value": "chat"}, ["bob"]),
        ({"field": "customer.tickets", "op": "gte", "value": 2}, ["ann"]),
        ({"field": "customer.nps_category", "op": "is", "value": "detractor"}, ["bob"]),
        ({"field": "customer.nps_category", "op": "in", "value": ["promoter", "passive"]}, ["ann"]),
        ({"field": "customer.latest_csat", "op": "lt", "value": 3}, ["bob"]),
        ({"field": "customer.marketing_consent", "op": "is", "value": True}, ["ann"]),
        ({"field": "customer.company", "op": "is", "value": "acme"}, ["ann"]),
        ({"field": "customer.company", "op": "is_not", "value": "Acme"}, ["bob"]),
        ({"field": "customer.email", "op": "contains", "value": "@mail."}, ["bob"]),
        ({"field": "customer.name", "op": "in", "value": ["Ann", "Bob"]}, ["ann", "bob"]),
        ({"field": "customer.last_contact_days", "op": "lt", "value": 1}, ["ann", "bob"]),
        ({"field": "customer.last_contact_days", "op": "gt", "value": 30}, []),
    ],
)
async def test_each_field_selects_the_customers_it_describes(
    lead_client: httpx.AsyncClient,
    people: dict[str, int],
    condition: dict[str, Any],
    expected: list[str],
) -> None:
    assert await names(lead_client, condition) == expected


async def test_all_and_any_combine(lead_client: httpx.AsyncClient, people: dict[str, int]) -> None:
    vip = {"field": "customer.tags", "op": "contains", "value": "vip"}
    detractor = {"field": "customer.nps_category", "op": "is", "value": "detractor"}
    assert await names(lead_client, vip, detractor) == []
    assert await names(lead_client, vip, detractor, any_=True) == ["ann", "bob"]


async def test_a_saved_segment_is_a_query_its_members_follow_the_customers(
    lead_client: httpx.AsyncClient, people: dict[str, int]
) -> None:
    segment_id = await create_segment(
        lead_client, {"all": [{"field": "customer.tags", "op": "contains", "value": "vip"}]}, "VIP"
    )
    first = (await lead_client.get(f"/api/segments/{segment_id}/members")).json()
    assert first["count"] == 1 and first["items"][0]["id"] == people["ann"]
    await lead_client.patch(f"/api/customers/{people['bob']}", json={"tags": ["vip"]})
    page = (await lead_client.get(f"/api/segments/{segment_id}/members?limit=1")).json()
    assert page["count"] == 2 and len(page["items"]) == 1 and page["next"]
    rest = (
        await lead_client.get(f"/api/segments/{segment_id}/members?limit=1&cursor={page['next']}")
    ).json()
    assert [i["id"] for i in page["items"] + rest["items"]] == [people["ann"], people["bob"]]


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        ({"field": "customer.shoe_size", "op": "is", "value": 42}, "conditions.all[0].field"),
        ({"field": "customer.tags", "op": "gt", "value": 1}, "conditions.all[0].op"),
        ({"field": "customer.tickets", "op": "gt", "value": "many"}, "conditions.all[0].value"),
        ({"field": "customer.nps_category", "op": "is", "value": "fan"}, "conditions.all[0].value"),
        ({"field": "customer.name", "op": "matches", "value": "^A"}, "conditions.all[0].op"),
        (
            {"field": "customer.journey_stage", "op": "is", "value": "golden"},
            "conditions.all[0].value",
        ),
        (
            {"field": "customer.lead_stage", "op": "is", "value": "signed"},
            "conditions.all[0].value",
        ),
    ],
)
async def test_a_bad_condition_is_refused_naming_it(
    lead_client: httpx.AsyncClient, condition: dict[str, Any], field: str
) -> None:
    refused = await lead_client.post(
        "/api/segments", json={"name": "Bad", "conditions": {"all": [condition]}}
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == field


async def test_segments_are_for_leads_and_names_are_unique(
    client: httpx.AsyncClient, lead_client: httpx.AsyncClient
) -> None:
    await create_segment(lead_client, name="Twice")
    again = await lead_client.post("/api/segments", json={"name": "Twice", "conditions": {}})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "name"
    fields = await lead_client.get("/api/segments/fields")
    assert "customer.nps_category" in {f["name"] for f in fields.json()["fields"]}


async def test_agents_cannot_see_segments(agent_client: httpx.AsyncClient) -> None:
    assert (await agent_client.get("/api/segments")).status_code == 403
    assert (await agent_client.post("/api/campaigns", json={})).status_code == 403


async def test_last_contact_counts_inbound_messages_only(
    lead_client: httpx.AsyncClient, people: dict[str, int]
) -> None:
    # As seen 40 days from now, both last wrote more than 30 days ago.
    from servicedesk.marketing import service
    from servicedesk.marketing.schemas import Conditions

    conditions = Conditions.model_validate(
        {"all": [{"field": "customer.last_contact_days", "op": "gt", "value": 30}]}
    )
    later = await service.members(conditions=conditions, now=utcnow() + timedelta(days=40))
    assert later["count"] == 2


async def test_nps_goes_to_a_saved_segments_members(
    lead_client: httpx.AsyncClient, people: dict[str, int]
) -> None:
    detractors = await create_segment(
        lead_client,
        {"all": [{"field": "customer.nps_category", "op": "is", "value": "detractor"}]},
        "Detractors",
    )
    sent = await lead_client.post("/api/surveys/nps", json={"segment_id": detractors})
    assert sent.status_code == 201, sent.text
    assert sent.json() == {"sent": 1}
    from servicedesk.cx.tables import Survey

    assert [row["customer"] for row in await Survey.select(Survey.customer)] == [people["bob"]]
    both = await lead_client.post(
        "/api/surveys/nps", json={"segment_id": detractors, "customer_ids": [people["ann"]]}
    )
    assert both.status_code == 422
    assert both.json()["errors"][0]["field"] == "customer_ids"
    missing = await lead_client.post("/api/surveys/nps", json={"segment_id": 999})
    assert missing.status_code == 404
