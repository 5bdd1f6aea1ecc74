"""Bad input gets a 4xx problem+json naming the problem; never a 500."""

from __future__ import annotations

from typing import Any

import pytest


def assert_problem(response: Any, status: int, mentions: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and mentions in (
        body["detail"] + str(body.get("errors", ""))
    ), body


async def test_malformed_json(agent_client: Any) -> None:
    response = await agent_client.post(
        "/api/contacts", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"channel": "fax", "customer": {"email": "a@b.c"}, "body": "x"}, "channel"),
        ({"channel": "email", "customer": {"email": "a@b.c"}, "body": 12}, "body"),
        (
            {"channel": "email", "customer": {"email": "a@b.c"}, "body": "x", "colour": "red"},
            "colour",
        ),
        ({"channel": "email", "customer": {}, "body": "x"}, "customer"),
        ({"channel": "email", "customer": {"email": "not-an-email"}, "body": "x"}, "email"),
        ({"channel": "phone", "customer": {"phone": "12"}, "body": "x"}, "phone"),
        ({"channel": "email", "customer": {"email": "a@b.c"}, "body": ""}, "body"),
    ],
)
async def test_bad_contact_fields_are_named(
    agent_client: Any, body: dict[str, Any], mentions: str
) -> None:
    response = await agent_client.post("/api/contacts", json=body)
    assert response.status_code in (400, 422), response.text
    assert_problem(response, response.status_code, mentions)


async def test_oversize_body_is_413(agent_client: Any) -> None:
    response = await agent_client.post(
        "/api/contacts", content=b"x" * 2_000_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "path", ["/api/tickets/abc", "/api/tickets/999999", "/api/customers/999999", "/api/nothing"]
)
async def test_bad_ids_and_paths_are_4xx(agent_client: Any, path: str) -> None:
    response = await agent_client.get(path)
    assert response.status_code in (400, 404), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_bad_query_values_are_named(agent_client: Any) -> None:
    assert_problem(await agent_client.get("/api/tickets", params={"status": "lost"}), 400, "status")
    assert_problem(await agent_client.get("/api/tickets", params={"cursor": "zzz"}), 422, "cursor")
    assert_problem(await agent_client.get("/api/tickets", params={"limit": 0}), 400, "limit")


async def test_empty_patch_is_refused(agent_client: Any) -> None:
    ticket = (
        await agent_client.post(
            "/api/contacts", json={"channel": "chat", "customer": {"email": "a@b.c"}, "body": "x"}
        )
    ).json()["ticket"]
    assert_problem(
        await agent_client.patch(f"/api/tickets/{ticket['id']}", json={}), 400, "at least one field"
    )
    assert_problem(
        await agent_client.patch(f"/api/tickets/{ticket['id']}", json={"assignee_id": 424242}),
        404,
        "assignee_id",
    )
    customer_id = ticket["customer"]["id"]
    assert_problem(
        await agent_client.patch(f"/api/customers/{customer_id}", json={}),
        400,
        "at least one field",
    )
    before = ticket["customer"]["name"]
    unchanged = await agent_client.get(f"/api/customers/{customer_id}")
    assert unchanged.status_code == 200 and unchanged.json()["name"] == before != "Ann"
    named = await agent_client.patch(f"/api/customers/{customer_id}", json={"name": "Ann"})
    assert named.status_code == 200 and named.json()["name"] == "Ann"


async def test_references_to_missing_rows_are_4xx(admin_client: Any) -> None:
    me = (await admin_client.get("/api/auth/me")).json()["agent"]
    assert_problem(
        await admin_client.patch(f"/api/agents/{me['id']}", json={"team_id": 4242}), 404, "team_id"
    )
    assert_problem(await admin_client.post("/api/tokens", json={"agent_id": 4242}), 404, "agent_id")
    assert_problem(await admin_client.patch("/api/teams/4242", json={"name": "x"}), 404, "team_id")


async def test_duplicate_team_name_is_a_conflict_not_a_500(admin_client: Any) -> None:
    first = await admin_client.post("/api/teams", json={"name": "Billing"})
    other = await admin_client.post("/api/teams", json={"name": "Support"})
    renamed = await admin_client.patch(f"/api/teams/{other.json()['id']}", json={"name": "Billing"})
    assert first.status_code == 201 and renamed.status_code == 409
    assert renamed.headers["content-type"].startswith("application/problem+json")


async def test_out_of_range_ids_and_dates_are_refused_naming_them(admin_client: Any) -> None:
    huge = "6049036187945260000162623413813248"  # ids are 1 to 2**31 - 1 (the schema says)
    assert_problem(await admin_client.post(f"/api/outbox/{huge}/resend"), 400, "outbox_id")
    assert_problem(await admin_client.get(f"/api/tickets/{huge}"), 400, "ticket_id")
    period = {"from": "0001-01-01T00:00:00Z", "to": "2000-01-01T00:00:00Z"}
    assert_problem(await admin_client.get("/api/reports/customers", params=period), 422, "from")


async def test_nulls_in_an_agent_update_leave_fields_as_they_are(admin_client: Any) -> None:
    me = (await admin_client.get("/api/auth/me")).json()["agent"]
    response = await admin_client.patch(
        f"/api/agents/{me['id']}", json={"password": None, "name": None}
    )
    assert response.status_code == 200 and response.json()["name"] == me["name"]


async def test_preflight_requests_are_not_server_errors(admin_client: Any) -> None:
    response = await admin_client.options("/api/tokens")
    assert response.status_code < 500
