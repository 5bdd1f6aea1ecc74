"""Identities: emails as typed, found case-insensitively and ignoring +tags; phones in
E.164 (national numbers in PHONE_REGION); handles per platform; the list agents edit; and
the duplicate suggestions they lead to."""

from __future__ import annotations

from typing import Any

import httpx

from servicedesk.customers.identities import identity
from servicedesk.customers.tables import CustomerEvent


async def customer_of(client: httpx.AsyncClient, **who: str) -> int:
    response = await client.post(
        "/api/contacts",
        json={"channel": "email" if "email" in who else "chat", "customer": who, "body": "hi"},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["ticket"]["customer"]["id"])


async def add(client: httpx.AsyncClient, customer_id: int, kind: str, value: str) -> httpx.Response:
    return await client.post(
        f"/api/customers/{customer_id}/identities", json={"kind": kind, "value": value}
    )


def test_the_three_forms_of_an_identity() -> None:
    email = identity("email", " Ann+Orders@Example.COM ")
    assert (email.value, email.key, email.match) == (
        "Ann+Orders@Example.COM",
        "email:ann+orders@example.com",
        "email:ann@example.com",
    )
    assert email.domain == "example.com"
    national = identity("phone", "01632 960123 ext. 7")  # PHONE_REGION GB
    assert (national.value, national.match) == ("+441632960123;ext=7", "phone:+441632960123")
    handle = identity("social", "Twitter:@Ann")
    assert (handle.value, handle.key, handle.match) == (
        "twitter:@Ann",
        "social:twitter:@ann",
        "handle:ann",
    )


async def test_a_plus_address_finds_the_customer_and_is_kept_as_typed(
    agent_client: httpx.AsyncClient,
) -> None:
    ann = await customer_of(agent_client, email="ann@example.com", name="Ann")
    again = await customer_of(agent_client, email="Ann+Invoices@Example.com")
    assert again == ann
    listed = (await agent_client.get(f"/api/customers/{ann}/identities")).json()
    assert [i["value"] for i in listed] == ["ann@example.com", "Ann+Invoices@Example.com"]
    # Case-insensitive as before: the same address in capitals is the same identity.
    assert await customer_of(agent_client, email="ANN@EXAMPLE.COM") == ann
    assert len((await agent_client.get(f"/api/customers/{ann}/identities")).json()) == 2


async def test_agents_add_and_remove_identities_with_an_audit_entry(
    agent_client: httpx.AsyncClient,
) -> None:
    ann = await customer_of(agent_client, email="ann@example.com")
    phone = await add(agent_client, ann, "phone", "01632 960123")
    assert phone.status_code == 201, phone.text
    assert phone.json()["value"] == "+441632960123"
    handle = await add(agent_client, ann, "social", "instagram:@ann.k")
    assert handle.json()["value"] == "instagram:@ann.k"
    bad = await add(agent_client, ann, "phone", "12")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "phone"
    bad_handle = await add(agent_client, ann, "social", "no platform")
    assert bad_handle.status_code == 422 and bad_handle.json()["errors"][0]["field"] == "social"
    bob = await customer_of(agent_client, email="bob@example.com")
    taken = await add(agent_client, bob, "phone", "+44 1632 960123")
    assert taken.status_code == 409 and taken.json()["errors"][0]["field"] == "phone"

    removed = await agent_client.delete(f"/api/customers/{ann}/identities/{phone.json()['id']}")
    assert removed.status_code == 204
    assert (await add(agent_client, bob, "phone", "+44 1632 960123")).status_code == 201
    not_hers = await agent_client.delete(f"/api/customers/{ann}/identities/{phone.json()['id']}")
    assert not_hers.status_code == 404
    actions = [
        row["action"]
        for row in await CustomerEvent.select(CustomerEvent.action)
        .where(CustomerEvent.customer == ann)
        .order_by(CustomerEvent.id)
    ]
    assert actions == ["identity_added", "identity_added", "identity_removed"]


async def suggestions(client: httpx.AsyncClient, customer_id: int) -> dict[int, list[str]]:
    response = await client.get(f"/api/customers/{customer_id}/duplicates")
    assert response.status_code == 200, response.text
    return {item["id"]: item["reasons"] for item in response.json()["items"]}


async def test_duplicate_suggestions_say_why(agent_client: httpx.AsyncClient) -> None:
    ann = await customer_of(agent_client, email="ann.k@acme.example", name="Ann Kowalski")
    # The same name at the same company domain.
    colleague_record = await customer_of(
        agent_client, email="a.kowalski@acme.example", name="ann  kowalski"
    )
    # The same email ignoring a +tag (added by an agent, so two customers hold them).
    tagged = await customer_of(agent_client, email="someone@mail.example", name="S")
    assert (await add(agent_client, ann, "email", "ann+news@mail.example")).status_code == 201
    assert (await add(agent_client, tagged, "email", "ann@mail.example")).status_code == 201
    # The same handle on two platforms, and the same number with another extension.
    handle = await customer_of(agent_client, social="twitter:@annk", name="@annk")
    assert (await add(agent_client, ann, "social", "instagram:annk")).status_code == 201
    assert (await add(agent_client, ann, "phone", "+441632960123;ext=1")).status_code == 201
    desk = await customer_of(agent_client, email="front.desk@other.example", name="Front desk")
    assert (await add(agent_client, desk, "phone", "+44 1632 960123 ext. 2")).status_code == 201
    # Not suggested: the same name at a free-mail domain.
    await customer_of(agent_client, email="ann.kowalski@gmail.com", name="Ann Kowalski")
    await add(agent_client, ann, "email", "annk@gmail.com")

    found = await suggestions(agent_client, ann)
    assert found == {
        colleague_record: ["same name Ann Kowalski at acme.example"],
        tagged: ["same email ignoring +tags: ann@mail.example and ann+news@mail.example"],
        handle: ["same handle @annk on instagram and twitter"],
        desk: ["same phone number +441632960123"],
    }
    merged = await agent_client.post(f"/api/customers/{ann}/merge", json={"other_id": tagged})
    assert merged.status_code == 200
    assert tagged not in await suggestions(agent_client, ann)
    assert await suggestions(agent_client, tagged) == {}


async def test_duplicates_of_an_unknown_customer_is_a_404(agent_client: Any) -> None:
    response = await agent_client.get("/api/customers/4242/duplicates")
    assert response.status_code == 404
