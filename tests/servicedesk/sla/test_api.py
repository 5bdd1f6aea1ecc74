"""/api/automation/sla-policies: admins manage, leads and agents read; bad input names its
field in a problem+json answer."""

from __future__ import annotations

from datetime import timedelta

import httpx

from servicedesk.clock import utcnow
from servicedesk.tickets import service as tickets
from tests.servicedesk.sla.conftest import contact, office_team

URL = "/api/automation/sla-policies"
POLICY = {
    "name": "Standard",
    "targets": {"urgent": {"first_response": 30, "resolution": 240}, "normal": {"next_reply": 120}},
}


def _fields(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json")
    return [error["field"] for error in response.json().get("errors", [])]


async def test_an_admin_creates_reads_changes_and_deletes_a_policy(
    admin_client: httpx.AsyncClient,
) -> None:
    team_id = await office_team()
    created = await admin_client.post(URL, json={**POLICY, "team_id": team_id})
    assert created.status_code == 201, created.text
    policy = created.json()
    assert policy["targets"]["urgent"] == {
        "first_response": 30,
        "next_reply": None,
        "resolution": 240,
    }
    assert (policy["team_id"], policy["channel"], policy["business_hours"]) == (
        team_id,
        None,
        False,
    )
    url = f"{URL}/{policy['id']}"
    assert (await admin_client.get(url)).json()["name"] == "Standard"

    changed = await admin_client.patch(url, json={"business_hours": True, "channel": "chat"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["business_hours"], changed.json()["channel"]) == (True, "chat")
    assert changed.json()["targets"] == policy["targets"]
    assert [p["id"] for p in (await admin_client.get(URL)).json()] == [policy["id"]]

    assert (await admin_client.delete(url)).status_code == 204
    missing = await admin_client.get(url)
    assert missing.status_code == 404 and _fields(missing) == ["id"]


async def test_bad_policies_are_refused_naming_the_field(admin_client: httpx.AsyncClient) -> None:
    no_targets = await admin_client.post(URL, json={"name": "Empty", "targets": {}})
    assert no_targets.status_code == 422 and _fields(no_targets) == ["targets"]

    negative = await admin_client.post(
        URL, json={"name": "Bad", "targets": {"normal": {"first_response": 0}}}
    )
    assert negative.status_code == 400
    assert any("first_response" in field for field in _fields(negative))

    unknown_priority = await admin_client.post(
        URL, json={"name": "Bad", "targets": {"asap": {"first_response": 5}}}
    )
    assert unknown_priority.status_code == 400 and _fields(unknown_priority)

    typo = await admin_client.post(
        URL, json={"name": "Bad", "targets": {"normal": {"first_reply": 5}}}
    )
    assert typo.status_code == 400 and _fields(typo)

    no_team = await admin_client.post(URL, json={**POLICY, "team_id": 999})
    assert no_team.status_code == 404 and _fields(no_team) == ["team_id"]

    assert (await admin_client.post(URL, json=POLICY)).status_code == 201
    same_name = await admin_client.post(URL, json={**POLICY, "channel": "chat"})
    assert same_name.status_code == 409 and _fields(same_name) == ["name"]
    same_scope = await admin_client.post(URL, json={**POLICY, "name": "Other"})
    assert same_scope.status_code == 409 and _fields(same_scope) == ["team_id"]
    inactive = await admin_client.post(URL, json={**POLICY, "name": "Other", "active": False})
    assert inactive.status_code == 201

    null_name = await admin_client.patch(f"{URL}/{inactive.json()['id']}", json={"name": None})
    assert null_name.status_code == 400 and _fields(null_name) == ["name"]


async def test_agents_and_leads_read_but_do_not_manage(
    admin_client: httpx.AsyncClient,
) -> None:
    from tests.conftest import app_client, signed_in

    policy = (await admin_client.post(URL, json=POLICY)).json()
    async with app_client() as client:
        agent = await signed_in(client, "alice@desk.example", "agent")
        assert (await agent.get(URL)).status_code == 200
        assert (await agent.get(f"{URL}/{policy['id']}")).status_code == 200
        assert (await agent.post(URL, json={**POLICY, "name": "X"})).status_code == 403
    async with app_client() as client:
        lead = await signed_in(client, "lena@desk.example", "lead")
        assert (
            await lead.patch(f"{URL}/{policy['id']}", json={"active": False})
        ).status_code == 403
        assert (await lead.delete(f"{URL}/{policy['id']}")).status_code == 403
    async with app_client() as anonymous:
        assert (await anonymous.get(URL)).status_code == 401


async def test_the_openapi_schema_lists_every_answer(admin_client: httpx.AsyncClient) -> None:
    schema = (await admin_client.get("/schema/openapi.json")).json()
    item = schema["paths"][URL + "/{policy_id}"]
    assert set(item["patch"]["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
    }
    assert "application/problem+json" in item["patch"]["responses"]["409"]["content"]
    assert set(item["delete"]["responses"]) == {"204", "400", "401", "403", "404", "409", "422"}
    assert set(item["get"]["responses"]) == {"200", "400", "401", "403", "404", "422"}
    for answers in (item["get"]["responses"], item["delete"]["responses"]):
        assert "application/problem+json" in answers["400"]["content"]
    assert set(schema["paths"][URL]["post"]["responses"]) == {
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
    }


async def test_breaching_soon_lists_tickets_due_within_the_window_soonest_first(
    admin_client: httpx.AsyncClient,
) -> None:
    await admin_client.post(
        URL, json={"name": "All", "targets": {"normal": {"first_response": 60}}}
    )
    now = utcnow()
    later, _ = await tickets.receive_contact(contact=contact(subject="later"), now=now)
    breached, _ = await tickets.receive_contact(
        contact=contact(subject="breached", email="dan@mail.example"), now=now - timedelta(hours=2)
    )
    far, _ = await tickets.receive_contact(
        contact=contact(subject="far", email="erin@mail.example"), now=now + timedelta(hours=5)
    )
    page = (await admin_client.get("/api/tickets/breaching?within_hours=2")).json()
    assert [t["id"] for t in page["items"]] == [breached, later]
    assert [t["sla"]["breached"] for t in page["items"]] == [True, False]
    bad = await admin_client.get("/api/tickets/breaching?within_hours=0")
    assert bad.status_code == 400
    assert far not in [t["id"] for t in page["items"]]
