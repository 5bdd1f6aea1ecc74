"""The demo shows phone tickets with logged calls (one from the CTI, with its recording)
and a pair of likely duplicates the profile suggests merging."""

from __future__ import annotations

from pathlib import Path

from servicedesk.channels.tables import PhoneCall
from servicedesk.customers.duplicates import duplicates_of
from servicedesk.customers.tables import CustomerIdentity
from servicedesk.demo import load_demo
from servicedesk.tickets.tables import Ticket


async def test_the_demo_has_calls_and_a_likely_duplicate(tmp_path: Path) -> None:
    await load_demo(customers=5, tickets=10, seed=1, path=tmp_path / "demo.jsonl")
    assert await PhoneCall.count().where(PhoneCall.source == "agent") == 2
    [cti] = await PhoneCall.select().where(PhoneCall.source == "cti")
    assert cti["outcome"] == "answered" and cti["recording_url"].startswith("https://")
    assert await Ticket.count().where(Ticket.channel == "phone") >= 3
    ann = (
        await CustomerIdentity.select(CustomerIdentity.customer)
        .where(CustomerIdentity.key == "email:ann.kowalski@acme.example")
        .first()
    )
    assert ann is not None
    [suggested] = await duplicates_of(customer_id=ann["customer"])
    assert suggested["reasons"] == ["same name Ann Kowalski at acme.example"]
