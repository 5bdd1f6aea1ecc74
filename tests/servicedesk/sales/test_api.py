"""The leads API: roles, capture from a ticket, board moves, edits, merges, the report
(JSON and CSV), and 4xx answers naming the field."""

from __future__ import annotations

import httpx

from servicedesk.clock import utcnow
from tests.conftest import make_agent, sign_in

from .helpers import contact, customer_of, sales_team


async def test_an_agent_creates_a_lead_from_a_ticket_and_moves_it(
    agent_client: httpx.AsyncClient,
) -> None:
    ticket_id = await contact("ann@mail.example", subject="Demo please", now=utcnow())
    created = await agent_client.post(
        "/api/leads", json={"ticket_id": ticket_id, "value": 1200.5, "currency": "usd"}
    )
    assert created.status_code == 201, created.text
    lead = created.json()
    assert (lead["source_channel"], lead["source_ticket_id"], lead["stage"]) == (
        "email",
        ticket_id,
        "new",
    )
    assert (lead["value"], lead["currency"], lead["created"]) == (1200.5, "USD", True)
    assert lead["owner_name"] == "Alice" and lead["customer_email"] == "ann@mail.example"
    moved = await agent_client.post(f"/api/leads/{lead['id']}/stage", json={"stage": "qualified"})
    assert moved.status_code == 200, moved.text
    assert [(h["from_stage"], h["to_stage"]) for h in moved.json()["history"]] == [
        (None, "new"),
        ("new", "qualified"),
    ]
    # The same ticket again: folded into the open lead, not a second one.
    again = await agent_client.post("/api/leads", json={"ticket_id": ticket_id})
    assert again.status_code == 201 and again.json()["id"] == lead["id"]
    assert again.json()["created"] is False
    board = await agent_client.get("/api/leads", params={"stage": "qualified"})
    assert [item["id"] for item in board.json()["items"]] == [lead["id"]]
    stages = await agent_client.get("/api/leads/stages")
    assert stages.json()["stages"] == ["new", "qualified", "proposal", "won", "lost"]


async def test_errors_name_the_field(agent_client: httpx.AsyncClient) -> None:
    ticket_id = await contact("ann@mail.example", now=utcnow())

    async def refused(method: str, url: str, body: dict, status: int, field: str) -> None:
        answer = await agent_client.request(method, url, json=body)
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["errors"][0]["field"] == field, answer.text

    await refused("POST", "/api/leads", {}, 422, "customer_id")
    await refused("POST", "/api/leads", {"ticket_id": 999}, 404, "ticket_id")
    await refused("POST", "/api/leads", {"customer_id": 999}, 404, "customer_id")
    await refused("POST", "/api/leads", {"ticket_id": ticket_id, "stage": "signed"}, 422, "stage")
    await refused("POST", "/api/leads", {"ticket_id": ticket_id, "owner_id": 999}, 422, "owner_id")
    await refused("POST", "/api/leads", {"ticket_id": ticket_id, "team": "Nope"}, 422, "team")
    await refused("POST", "/api/leads", {"ticket_id": ticket_id, "value": -1}, 400, "value")
    await refused("POST", "/api/leads", {"ticket_id": ticket_id, "colour": 1}, 400, "colour")
    lead_id = (await agent_client.post("/api/leads", json={"ticket_id": ticket_id})).json()["id"]
    await refused("POST", f"/api/leads/{lead_id}/stage", {"stage": "nope"}, 422, "stage")
    await refused("POST", "/api/leads/999/stage", {"stage": "won"}, 404, "lead_id")
    await refused(
        "PATCH",
        f"/api/leads/{lead_id}",
        {"expected_close_date": "31.12.2026"},
        400,
        "expected_close_date",
    )
    await refused("PATCH", f"/api/leads/{lead_id}", {"currency": None}, 422, "currency")
    cleared = await agent_client.patch(
        f"/api/leads/{lead_id}", json={"lost_reason": None, "value": None, "owner_id": None}
    )
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["lost_reason"], cleared.json()["owner_id"]) == ("", None)
    empty = await agent_client.patch(f"/api/leads/{lead_id}", json={})
    assert empty.status_code == 400


async def test_roles_agents_read_create_and_change_their_own_leads_only(
    client: httpx.AsyncClient,
) -> None:
    people = await sales_team()
    ticket_id = await contact("ann@mail.example", now=utcnow())
    await sign_in(client, "lou@desk.example")  # a lead
    lead = (
        await client.post("/api/leads", json={"ticket_id": ticket_id, "owner_id": people["sue"]})
    ).json()
    await sign_in(client, "sam@desk.example")  # an agent, not the owner
    assert (await client.get(f"/api/leads/{lead['id']}")).status_code == 200
    moved = await client.post(f"/api/leads/{lead['id']}/stage", json={"stage": "won"})
    assert moved.status_code == 403
    assert (await client.patch(f"/api/leads/{lead['id']}", json={"value": 5})).status_code == 403
    assert (await client.get("/api/reports/leads")).status_code == 403
    assert (await client.delete(f"/api/leads/{lead['id']}")).status_code == 403
    await sign_in(client, "sue@desk.example")  # the owner
    edited = await client.patch(
        f"/api/leads/{lead['id']}",
        json={"value": 800, "expected_close_date": "2026-12-31", "lost_reason": ""},
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["value"], body["expected_close_date"]) == (800.0, "2026-12-31")
    assert body["history"][-1]["changes"]["value"] == [0.0, 800.0]
    gives = await client.patch(f"/api/leads/{lead['id']}", json={"owner_id": people["sam"]})
    assert gives.status_code == 403 and gives.json()["errors"][0]["field"] == "owner_id"
    lost = await client.post(
        f"/api/leads/{lead['id']}/stage", json={"stage": "lost", "lost_reason": "Too expensive"}
    )
    assert (lost.json()["stage"], lost.json()["lost_reason"]) == ("lost", "Too expensive")


async def test_merge_and_delete_are_for_leads_and_the_report_has_csv(
    lead_client: httpx.AsyncClient,
) -> None:
    await make_agent("sam@desk.example", "agent", team="Sales")
    ticket_id = await contact("ann@mail.example", now=utcnow())
    customer_id = await customer_of(ticket_id)
    first = (await lead_client.post("/api/leads", json={"ticket_id": ticket_id})).json()
    await lead_client.post(f"/api/leads/{first['id']}/stage", json={"stage": "lost"})
    second = (
        await lead_client.post("/api/leads", json={"customer_id": customer_id, "value": 40})
    ).json()
    merged = await lead_client.post(
        f"/api/leads/{second['id']}/merge", json={"other_id": first["id"]}
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["history"][-1]["kind"] == "merged"
    assert (await lead_client.get(f"/api/leads/{first['id']}")).json()["merged_into"] == second[
        "id"
    ]
    other_ticket = await contact("bob@mail.example", now=utcnow())
    third = (
        await lead_client.post(
            "/api/leads", json={"ticket_id": other_ticket, "value": 12.5, "currency": "usd"}
        )
    ).json()
    cross = await lead_client.post(
        f"/api/leads/{second['id']}/merge", json={"other_id": third["id"]}
    )
    assert cross.status_code == 422 and cross.json()["errors"][0]["field"] == "other_id"
    report = await lead_client.get("/api/reports/leads")
    assert report.status_code == 200, report.text
    # Two currencies: summed apart (EUR, the default, and USD), never added together.
    assert report.json()["leads"] == 2 and report.json()["open_value"] == [
        {"currency": "EUR", "amount": 40.0},
        {"currency": "USD", "amount": 12.5},
    ]
    new_stage = next(row for row in report.json()["pipeline"] if row["stage"] == "new")
    assert new_stage["leads"] == 2 and len(new_stage["value"]) == 2
    as_csv = await lead_client.get("/api/reports/leads", params={"format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    lines = as_csv.text.splitlines()
    assert lines[0] == "section,name,currency,leads,value,won,lost,rate,median_days"
    assert lines[1:3] == ["pipeline,new,EUR,2,40.0,,,,", "pipeline,new,USD,,12.5,,,,"]
    bad = await lead_client.get("/api/reports/leads", params={"from": "yesterday"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "from"
    gone = await lead_client.delete(f"/api/leads/{third['id']}")
    assert gone.status_code == 204
    assert (await lead_client.get(f"/api/leads/{third['id']}")).status_code == 404
