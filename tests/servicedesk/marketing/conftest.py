"""Customers in bulk (through the importer), segments and campaigns over the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from servicedesk.customers.tables import Customer
from servicedesk.imports.service import import_file

EVERYONE = {"all": [{"field": "customer.email", "op": "contains", "value": "@mail.example"}]}


def address(number: int) -> str:
    return f"c{number}@mail.example"


async def import_customers(
    tmp_path: Path, count: int, consent: Callable[[int], bool] = lambda _: True
) -> dict[int, int]:
    """`count` customers c0..c{count-1}@mail.example, imported in one file; returns
    {number: customer id}."""
    path = tmp_path / "customers.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "type": "customer",
                    "external_id": f"c{n}",
                    "email": address(n),
                    "name": f"Customer {n}",
                    "marketing_consent": consent(n),
                }
            )
            + "\n"
            for n in range(count)
        )
    )
    report = await import_file(path)
    assert not report.rejected, report.rejected
    rows = await Customer.select(Customer.id, Customer.external_id)
    return {int(row["external_id"][1:]): int(row["id"]) for row in rows}


async def create_segment(
    client: httpx.AsyncClient, conditions: dict[str, Any] = EVERYONE, name: str = "Everyone"
) -> int:
    created = await client.post("/api/segments", json={"name": name, "conditions": conditions})
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def create_campaign(
    client: httpx.AsyncClient,
    segment_id: int,
    name: str = "Spring news",
    subject: str = "Hello {{ customer.first_name }}",
    body: str = "Dear {{ customer.name }}, spring is here.",
) -> int:
    created = await client.post(
        "/api/campaigns",
        json={"name": name, "segment_id": segment_id, "subject": subject, "body": body},
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def send(client: httpx.AsyncClient, campaign_id: int) -> dict[str, int]:
    sent = await client.post(f"/api/campaigns/{campaign_id}/send")
    assert sent.status_code == 202, sent.text
    return dict(sent.json())


async def report(client: httpx.AsyncClient, campaign_id: int) -> dict[str, Any]:
    found = await client.get(f"/api/campaigns/{campaign_id}/report")
    assert found.status_code == 200, found.text
    return dict(found.json())
