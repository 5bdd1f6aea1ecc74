"""Macros: shared ones made by admins, personal ones seen only by their owner; a preview
changes nothing; applying posts the reply and applies the actions as the agent."""

from __future__ import annotations

import importlib
from typing import Any

import httpx

from automation.rules import actions as action_types
from automation.rules.templates import check_template
from servicedesk.customers.service import ContactIdentity
from servicedesk.tickets import service as tickets
from tests.conftest import app_client, signed_in

SOLVE = {
    "name": "Solved",
    "actions": [
        {"type": "set", "field": "status", "value": "solved"},
        {"type": "add_tags", "value": ["done"]},
    ],
    "reply": "Hi {{ customer.name }}, ticket #{{ ticket.id }} is solved. {{ agent.name }}",
}


async def open_ticket() -> int:
    contact = tickets.Contact(
        channel="email",
        identity=ContactIdentity(email="ann@mail.example", name="Ann"),
        subject="Refund",
        body="hello",
    )
    ticket_id, _ = await tickets.receive_contact(contact=contact)
    return ticket_id


async def test_agents_see_shared_macros_and_only_their_own_personal_ones(
    admin_client: httpx.AsyncClient,
) -> None:
    shared = await admin_client.post("/api/automation/macros", json={**SOLVE, "shared": True})
    assert shared.status_code == 201, shared.text
    assert shared.json()["shared"] is True and shared.json()["owner_id"] is None

    async with app_client() as alice, app_client() as bob:
        await signed_in(alice, "alice@desk.example", "agent")
        await signed_in(bob, "bob@desk.example", "agent")
        mine = await alice.post("/api/automation/macros", json={"name": "Mine", "reply": "x"})
        assert mine.status_code == 201 and mine.json()["shared"] is False
        refused = await alice.post("/api/automation/macros", json={**SOLVE, "shared": True})
        assert refused.status_code == 403

        assert [m["name"] for m in (await alice.get("/api/automation/macros")).json()] == [
            "Solved",
            "Mine",
        ]
        assert [m["name"] for m in (await bob.get("/api/automation/macros")).json()] == ["Solved"]
        mine_id = mine.json()["id"]
        assert (await bob.get(f"/api/automation/macros/{mine_id}")).status_code == 404
        assert (await bob.delete(f"/api/automation/macros/{mine_id}")).status_code == 404
        assert (
            await bob.patch(f"/api/automation/macros/{mine_id}", json={"name": "Hijacked"})
        ).status_code == 404
        shared_id = shared.json()["id"]
        assert (
            await alice.patch(f"/api/automation/macros/{shared_id}", json={"name": "Mine now"})
        ).status_code == 403
        assert (await alice.delete(f"/api/automation/macros/{shared_id}")).status_code == 403
        renamed = await alice.patch(f"/api/automation/macros/{mine_id}", json={"name": "Ours"})
        assert renamed.status_code == 200 and renamed.json()["name"] == "Ours"
        assert (await alice.delete(f"/api/automation/macros/{mine_id}")).status_code == 204
    # Not even an admin sees an agent's personal macro.
    assert [m["name"] for m in (await admin_client.get("/api/automation/macros")).json()] == [
        "Solved"
    ]


async def test_bad_macros_are_refused_naming_the_field(agent_client: httpx.AsyncClient) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "x", "actions": [{"type": "teleport"}]}, "actions[0].type"),
        (
            {"name": "x", "actions": [{"type": "set", "field": "priority", "value": "asap"}]},
            "actions[0].value",
        ),
        ({"name": "x", "reply": "{{ ticket.__class__.__mro__ }}"}, "reply"),
        ({"name": "x", "reply": "{% if %}"}, "reply"),
        ({"name": "x"}, "actions"),
    ]
    for body, field in cases:
        refused = await agent_client.post("/api/automation/macros", json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["field"] == field


async def test_preview_changes_nothing_and_apply_acts_as_the_agent(
    agent_client: httpx.AsyncClient,
) -> None:
    ticket_id = await open_ticket()
    macro = (await agent_client.post("/api/automation/macros", json=SOLVE)).json()
    before = (await agent_client.get(f"/api/tickets/{ticket_id}")).json()

    preview = await agent_client.post(
        f"/api/automation/macros/{macro['id']}/preview", json={"ticket_id": ticket_id}
    )
    assert preview.status_code == 200, preview.text
    assert preview.json() == {
        "actions": ["set status solved", "add tags done"],
        "reply": f"Hi Ann, ticket #{ticket_id} is solved. Alice",
    }
    assert (await agent_client.get(f"/api/tickets/{ticket_id}")).json() == before

    applied = await agent_client.post(
        f"/api/automation/macros/{macro['id']}/apply", json={"ticket_id": ticket_id}
    )
    assert applied.status_code == 200, applied.text
    ticket = applied.json()
    assert ticket["status"] == "solved" and ticket["tags"] == ["done"]
    reply = ticket["interactions"][-1]
    assert reply["body_text"] == f"Hi Ann, ticket #{ticket_id} is solved. Alice"
    assert reply["public"] and reply["direction"] == "outbound"
    changed = [e for e in ticket["events"] if e["field"] in ("status", "tags")]
    assert changed and all(e["actor_kind"] == "agent" for e in changed)
    assert {e["actor_name"] for e in changed} == {"alice@desk.example"}


async def test_apply_on_a_missing_ticket_or_macro_is_a_404(agent_client: httpx.AsyncClient) -> None:
    macro = (await agent_client.post("/api/automation/macros", json=SOLVE)).json()
    missing = await agent_client.post(
        f"/api/automation/macros/{macro['id']}/apply", json={"ticket_id": 999}
    )
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "ticket_id"
    ticket_id = await open_ticket()
    gone = await agent_client.post(
        "/api/automation/macros/999/preview", json={"ticket_id": ticket_id}
    )
    assert gone.status_code == 404


def test_the_seeded_shared_macros_are_valid() -> None:
    seed = importlib.import_module("automation.migrations.automation_2026_11_29t16_40_00_000000")
    assert [name for name, _, _ in seed.MACROS] == [
        "Greeting",
        "Looking into it",
        "Solved",
        "Need more details",
    ]
    for name, actions, reply in seed.MACROS:
        check_template(reply, name)
        for i, action in enumerate(actions):
            action_types.parse(action, f"{name}[{i}]")
