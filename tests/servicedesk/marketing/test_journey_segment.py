"""Segments over customer.journey_stage: compiled to SQL like the other customer fields."""

from __future__ import annotations

import httpx
import pytest

from servicedesk.actors import SYSTEM
from servicedesk.clock import utcnow
from servicedesk.customers import journey
from servicedesk.customers.tables import Customer, CustomerIdentity


async def customer(name: str, stage: str | None) -> int:
    rows = await Customer.insert(Customer(name=name, created_at=utcnow()))
    customer_id = int(rows[0]["id"])
    email = f"{name}@mail.example"
    await CustomerIdentity.insert(
        CustomerIdentity(customer=customer_id, kind="email", value=email, key=f"email:{email}")
    )
    if stage:
        await journey.set_stage(customer_id=customer_id, stage=stage, actor=SYSTEM)
    return customer_id


async def members(client: httpx.AsyncClient, condition: dict[str, object]) -> list[str]:
    found = await client.post("/api/segments/preview", json={"conditions": {"all": [condition]}})
    assert found.status_code == 200, found.text
    return sorted(item["name"] for item in found.json()["items"])


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"op": "is", "value": "loyal"}, ["ann"]),
        ({"op": "is_not", "value": "loyal"}, ["bob", "cid"]),
        ({"op": "in", "value": ["loyal", "at risk"]}, ["ann", "bob"]),
        ({"op": "not_in", "value": ["loyal"]}, ["bob", "cid"]),
        ({"op": "present"}, ["ann", "bob"]),
        ({"op": "blank"}, ["cid"]),
    ],
)
async def test_segment_filters_on_the_journey_stage(
    lead_client: httpx.AsyncClient, condition: dict[str, object], expected: list[str]
) -> None:
    await customer("ann", "loyal")
    await customer("bob", "at risk")
    await customer("cid", None)
    assert await members(lead_client, {"field": "customer.journey_stage", **condition}) == expected


async def test_the_segment_catalog_offers_the_configured_stages(
    lead_client: httpx.AsyncClient,
) -> None:
    fields = (await lead_client.get("/api/segments/fields")).json()["fields"]
    stage = next(f for f in fields if f["name"] == "customer.journey_stage")
    assert stage["choices"] == list(journey.stages())
