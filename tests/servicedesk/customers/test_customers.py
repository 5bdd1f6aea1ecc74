"""Customer profiles: search, timeline across channels, update, merge keeping all history."""

from __future__ import annotations

from typing import Any

from servicedesk.customers.tables import Customer, CustomerIdentity
from servicedesk.tickets.tables import Ticket


async def contact(client: Any, channel: str, body: str, **customer: str) -> dict[str, Any]:
    response = await client.post(
        "/api/contacts", json={"channel": channel, "customer": customer, "body": body}
    )
    assert response.status_code == 201, response.text
    return response.json()["ticket"]


async def test_timeline_shows_every_channel_and_ticket_newest_first(agent_client: Any) -> None:
    first = await contact(agent_client, "email", "by mail", email="dana@mail.example", name="Dana")
    await agent_client.post(f"/api/tickets/{first['id']}/messages", json={"body": "answer"})
    second = await contact(agent_client, "chat", "by chat", email="dana@mail.example")
    timeline = (
        await agent_client.get(f"/api/customers/{first['customer']['id']}/timeline")
    ).json()["items"]
    assert [(i["kind"], i["channel"], i["ticket_id"]) for i in timeline] == [
        ("message", "chat", second["id"]),
        ("message", "email", first["id"]),
        ("message", "email", first["id"]),
    ]
    assert timeline[0]["message"]["author"]["name"] == "Dana"


async def test_search_finds_customers_by_name_or_identity(agent_client: Any) -> None:
    await contact(agent_client, "phone", "call", phone="+441632960123", name="Erin Example")
    await contact(agent_client, "email", "mail", email="frank@mail.example", name="Frank")
    by_phone = (await agent_client.get("/api/customers", params={"q": "960123"})).json()["items"]
    by_name = (await agent_client.get("/api/customers", params={"q": "erin"})).json()["items"]
    assert [c["name"] for c in by_phone] == [c["name"] for c in by_name] == ["Erin Example"]
    assert by_phone[0]["phone"] == "+441632960123"


async def test_update_profile_and_add_an_identity(agent_client: Any) -> None:
    ticket = await contact(agent_client, "email", "hi", email="gina@mail.example")
    customer_id = ticket["customer"]["id"]
    response = await agent_client.patch(
        f"/api/customers/{customer_id}",
        json={
            "name": "Gina",
            "notes": "VIP",
            "tags": ["vip"],
            "organization": "Acme",
            "add_identity": {"kind": "social", "value": "twitter:@gina"},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["organization"], body["tags"]) == ("Gina", "Acme", ["vip"])
    assert ("social", "twitter:@gina") in [(i["kind"], i["value"]) for i in body["identities"]]
    by_handle = await contact(agent_client, "social", "dm", social="twitter:@Gina")
    assert by_handle["customer"]["id"] == customer_id


async def test_an_identity_of_another_customer_is_a_409(agent_client: Any) -> None:
    a = await contact(agent_client, "email", "hi", email="a@mail.example")
    await contact(agent_client, "email", "hi", email="b@mail.example")
    response = await agent_client.patch(
        f"/api/customers/{a['customer']['id']}",
        json={"add_identity": {"kind": "email", "value": "b@mail.example"}},
    )
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "email"


async def test_merge_moves_all_history_and_later_contacts_find_the_survivor(
    agent_client: Any,
) -> None:
    by_mail = await contact(agent_client, "email", "mail", email="hal@mail.example", name="Hal")
    by_phone = await contact(
        agent_client, "phone", "call", phone="+441632960777", name="Hal (phone)"
    )
    keep, other = by_mail["customer"]["id"], by_phone["customer"]["id"]
    merged = await agent_client.post(f"/api/customers/{keep}/merge", json={"other_id": other})
    assert merged.status_code == 200, merged.text
    assert {t["id"] for t in merged.json()["tickets"]} == {by_mail["id"], by_phone["id"]}
    assert await Ticket.count().where(Ticket.customer == other) == 0
    assert await CustomerIdentity.count().where(CustomerIdentity.customer == keep) == 2
    row = await Customer.select(Customer.merged_into).where(Customer.id == other).first()
    assert row == {"merged_into": keep}
    again = await contact(agent_client, "phone", "again", phone="+441632960777")
    assert again["customer"]["id"] == keep
    timeline = (await agent_client.get(f"/api/customers/{keep}/timeline")).json()["items"]
    assert len(timeline) == 3
    searched = (await agent_client.get("/api/customers", params={"q": "hal"})).json()["items"]
    assert [c["id"] for c in searched] == [keep]


async def test_merge_into_itself_or_twice_is_refused(agent_client: Any) -> None:
    a = (await contact(agent_client, "email", "x", email="i@mail.example"))["customer"]["id"]
    b = (await contact(agent_client, "email", "y", email="j@mail.example"))["customer"]["id"]
    assert (
        await agent_client.post(f"/api/customers/{a}/merge", json={"other_id": a})
    ).status_code == 409
    assert (
        await agent_client.post(f"/api/customers/{a}/merge", json={"other_id": b})
    ).status_code == 200
    assert (
        await agent_client.post(f"/api/customers/{a}/merge", json={"other_id": b})
    ).status_code == 409
    assert (
        await agent_client.post(f"/api/customers/{a}/merge", json={"other_id": 99999})
    ).status_code == 404
