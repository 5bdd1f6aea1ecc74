"""The API contract in the small: what the OpenAPI schema says every route answers, text the
database cannot keep, agent emails, OPTIONS (tests/contract runs schemathesis on all of it)."""

from __future__ import annotations

import json
from typing import Any

from servicedesk.app import create_app

CONTACT = {
    "channel": "email",
    "customer": {"email": "carol@mail.example", "name": "Carol"},
    "subject": "Order 12",
    "body": "Where is my order?",
}


def test_every_route_documents_its_problem_answers_as_problem_json() -> None:
    schema = create_app().openapi_schema.to_schema()
    paths = schema["paths"]
    # One Problem model for every route (a module's own copy would show as a second schema).
    assert [name for name in schema["components"]["schemas"] if "Problem" in name] == ["Problem"]
    ticket = paths["/api/tickets/{ticket_id}"]
    assert set(ticket["patch"]["responses"]) == {
        "200", "400", "401", "403", "404", "409", "413", "422"
    }  # fmt: skip
    assert set(ticket["get"]["responses"]) == {"200", "400", "401", "403", "404", "422"}
    assert set(paths["/api/agents"]["get"]["responses"]) == {"200", "401", "403"}
    assert {"401", "429"} <= set(paths["/api/auth/login"]["post"]["responses"])
    # A raw body the contract cannot see: the route names its problems.
    assert set(paths["/api/channels/email/inbound"]["post"]["responses"]) == {
        "200", "201", "400", "401", "403", "409", "413", "415", "422"
    }  # fmt: skip
    for path, item in paths.items():
        for operation in item.values():
            for status, answer in operation.get("responses", {}).items():
                if status == "422" and path.startswith("/u/"):
                    # The unsubscribe link is followed by a person: a page says it is not valid.
                    assert list(answer["content"]) == ["text/html"]
                elif status.startswith("4"):
                    assert list(answer["content"]) == ["application/problem+json"]


async def test_a_tag_with_a_nul_is_refused_naming_the_field(agent_client: Any) -> None:
    ticket = (await agent_client.post("/api/contacts", json=CONTACT)).json()["ticket"]
    refused = await agent_client.patch(
        f"/api/tickets/{ticket['id']}", json={"add_tags": ["a\x00b"]}
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == [
        {"field": "add_tags", "message": "add_tags contains a NUL character"}
    ]
    # A lone surrogate cannot even be read as JSON text: the body is malformed (400).
    malformed = await agent_client.patch(
        f"/api/tickets/{ticket['id']}",
        content=json.dumps({"add_tags": ["\ud800"]}),  # ASCII with \u escapes, as clients send
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status_code == 400, malformed.text
    assert malformed.headers["content-type"] == "application/problem+json"


async def test_agent_emails_are_checked_like_customer_emails(admin_client: Any) -> None:
    refused = await admin_client.post("/api/agents", json={"email": "000"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "email"
    created = await admin_client.post("/api/agents", json={"email": " Bo@Desk.example "})
    assert created.status_code == 201 and created.json()["email"] == "bo@desk.example"


async def test_an_admin_cannot_demote_or_deactivate_themselves(admin_client: Any) -> None:
    me = (await admin_client.get("/api/auth/me")).json()["agent"]
    for change in ({"role": "agent"}, {"active": False}):
        refused = await admin_client.patch(f"/api/agents/{me['id']}", json=change)
        assert refused.status_code == 409, refused.text
    assert (await admin_client.patch(f"/api/agents/{me['id']}", json={"name": "Ad"})).is_success


async def test_options_lists_every_method_of_the_path(agent_client: Any) -> None:
    answer = await agent_client.options("/api/tickets/1")
    assert answer.headers["allow"] == "GET, OPTIONS, PATCH"
