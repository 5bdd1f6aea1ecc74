"""Leads in marketing: segments on customer.lead_stage, and the campaign report's leads
and won_value (a lead counts for a campaign created within LEAD_ATTRIBUTION_DAYS after
the campaign's email reached its customer)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from servicedesk.actors import Actor
from servicedesk.clock import utcnow
from servicedesk.outbox.tasks import deliver_due
from servicedesk.sales import service as sales
from tests.conftest import make_agent
from tests.servicedesk.marketing.conftest import (
    create_campaign,
    create_segment,
    import_customers,
    report,
    send,
)
from tests.smtp import SmtpServer


async def _seller() -> Actor:
    return Actor.agent(await make_agent("sam@desk.example", "agent"), "sam", "agent")


async def test_a_segment_on_the_customers_lead_stage(
    lead_client: httpx.AsyncClient, tmp_path: Path
) -> None:
    people = await import_customers(tmp_path, 4)
    sam, now = await _seller(), utcnow()
    # c0: an open lead in proposal; c1: won once, then a new open lead (new) -> new;
    # c2: only a lost lead -> lost; c3: no lead.
    first = await sales.create_lead(actor=sam, now=now, customer_id=people[0])
    await sales.set_stage(lead_id=first.lead_id, stage="proposal", actor=sam, now=now)
    won = await sales.create_lead(actor=sam, now=now, customer_id=people[1])
    await sales.set_stage(lead_id=won.lead_id, stage="won", actor=sam, now=now)
    await sales.create_lead(actor=sam, now=now, customer_id=people[1])
    lost = await sales.create_lead(actor=sam, now=now, customer_id=people[2])
    await sales.set_stage(lead_id=lost.lead_id, stage="lost", actor=sam, now=now)

    async def members(condition: dict) -> list[int]:
        found = await lead_client.post(
            "/api/segments/preview", json={"conditions": {"all": [condition]}, "limit": 10}
        )
        assert found.status_code == 200, found.text
        return [item["id"] for item in found.json()["items"]]

    field = "customer.lead_stage"
    assert await members({"field": field, "op": "is", "value": "proposal"}) == [people[0]]
    assert await members({"field": field, "op": "is", "value": "new"}) == [people[1]]
    assert await members({"field": field, "op": "in", "value": ["lost", "won"]}) == [people[2]]
    assert await members({"field": field, "op": "blank"}) == [people[3]]
    assert await members({"field": field, "op": "is_not", "value": "new"}) == [
        people[0],
        people[2],
        people[3],
    ]
    refused = await lead_client.post(
        "/api/segments",
        json={"name": "x", "conditions": {"all": [{"field": field, "op": "is", "value": "hot"}]}},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "conditions.all[0].value"
    fields = {
        f["name"]: f for f in (await lead_client.get("/api/segments/fields")).json()["fields"]
    }
    assert fields[field]["choices"] == ["new", "qualified", "proposal", "won", "lost"]


async def test_the_campaign_report_counts_attributed_leads_and_won_value_per_currency(
    lead_client: httpx.AsyncClient, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    people = await import_customers(tmp_path, 7, consent=lambda n: n < 6)
    segment_id = await create_segment(lead_client)
    campaign_id = await create_campaign(lead_client, segment_id)
    found = await report(lead_client, campaign_id)
    assert (found["leads"], found["won_value"]) == (0, [])
    await send(lead_client, campaign_id)
    await deliver_due()
    assert len(smtp_server.messages) == 6
    sam, now = await _seller(), utcnow()

    async def lead(n: int, days: int, value: float, currency: str, stage: str = "new") -> int:
        created = await sales.create_lead(
            actor=sam,
            now=now + timedelta(days=days),
            customer_id=people[n],
            value=value,
            currency=currency,
        )
        if stage != "new":
            await sales.set_stage(
                lead_id=created.lead_id, stage=stage, actor=sam, now=now + timedelta(days=9)
            )
        return created.lead_id

    # Won: c0 1000 EUR, c3 300 USD, c4 0.5 EUR (EUR adds up in cents, USD never joins
    # it); c1: open at 250 GBP, a currency nothing won has, so it is not listed; c5: lost
    # in CHF; c2: 31 days later (outside the window); c6: never got the email (no consent).
    won = await lead(0, 1, 1000, "EUR", "won")
    await lead(3, 2, 300, "USD", "won")
    await lead(4, 3, 0.5, "EUR", "won")
    await lead(1, 2, 250, "GBP")
    await lead(5, 2, 40, "CHF", "lost")
    await lead(2, 31, 90, "EUR", "won")
    await lead(6, 1, 70, "EUR", "won")
    found = await report(lead_client, campaign_id)
    assert found["leads"] == 5
    assert found["won_value"] == [
        {"currency": "EUR", "amount": 1000.5},
        {"currency": "USD", "amount": 300.0},
    ]
    detail = await lead_client.get(f"/api/leads/{won}")
    assert detail.json()["campaign_id"] == campaign_id
