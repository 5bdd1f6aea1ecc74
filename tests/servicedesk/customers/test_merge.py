"""Merging two customers keeps all history (tickets, interactions, identities, surveys,
consent, suppressions, campaign recipients, tags), in one transaction, audited; the facts
stay right (a report hand-checked before and after); the merged-away customer redirects."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from servicedesk.actors import Actor
from servicedesk.customers.merge import customer_references, merge_customers, merged_consent
from servicedesk.customers.service import find_customer
from servicedesk.customers.tables import Customer, CustomerEvent, CustomerIdentity
from servicedesk.cx import survey_answers
from servicedesk.cx.tables import SurveyResponse, TicketMetrics
from servicedesk.marketing import service as marketing
from servicedesk.marketing.tables import (
    Campaign,
    CampaignRecipient,
    ConsentChange,
    Segment,
    Suppression,
)
from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import Interaction, Ticket, TicketEvent
from tests.conftest import make_agent
from tests.servicedesk.cx.conftest import T0, contact, facts_of, report

H = timedelta(hours=1)
D = timedelta(days=1)


async def solved_ticket(actor: Actor, at: Any, **identity: Any) -> int:
    ticket_id, _ = await tickets.receive_contact(contact=contact(**identity), now=at)
    await tickets.add_agent_message(
        ticket_id=ticket_id, actor=actor, body="Sorted.", public=True, now=at + H
    )
    await tickets.set_status(ticket_id=ticket_id, status="solved", actor=actor, now=at + 2 * H)
    return ticket_id


def figures(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["solved"],
        row["fcr"]["eligible"],
        row["fcr"]["count"],
        row["csat"]["responses"],
        row["csat"]["satisfied"],
        row["avg_resolution_hours"],
    )


async def campaign(name: str) -> int:
    segment = await Segment.insert(Segment(name=name, created_at=T0, updated_at=T0))
    rows = await Campaign.insert(
        Campaign(name=name, segment=segment[0]["id"], subject="s", body="b", created_at=T0)
    )
    return int(rows[0]["id"])


async def received(campaign_id: int, customer_id: int) -> None:
    await CampaignRecipient.insert(
        CampaignRecipient(
            campaign=campaign_id,
            customer=customer_id,
            key=f"{campaign_id}:{customer_id}",
            status="queued",
            queued_at=T0,
        )
    )


async def test_merge_keeps_every_history_and_the_report_totals_stay_right() -> None:
    alice = Actor.agent(await make_agent("alice@desk.example"), "alice@desk.example")
    # Dana writes by email on Monday (rated 5) and phones on Wednesday as an unknown caller.
    by_mail = await solved_ticket(alice, T0, email="dana@acme.example")
    await survey_answers.record_csat(ticket_id=by_mail, rating=5, comment="quick", now=T0 + 3 * H)
    by_phone = await solved_ticket(
        alice, T0 + 2 * D, channel="phone", email=None, phone="+441632960100"
    )
    dana = await find_customer(identity=contact(email="dana@acme.example").identity)
    caller = await find_customer(identity=contact(email=None, phone="+441632960100").identity)
    assert dana and caller and dana != caller
    await Customer.update({Customer.tags: ["vip"]}).where(Customer.id == dana)
    await Customer.update({Customer.tags: ["phone"]}).where(Customer.id == caller)
    # Dana consented; the caller's record unsubscribed: the withdrawal wins.
    await marketing.set_consent(
        customer_ids=[dana, caller], consent=True, source="form", actor=alice, now=T0
    )
    await marketing.set_consent(
        customer_ids=[caller], consent=False, source="unsubscribe", actor=alice, now=T0 + D
    )
    await marketing.suppress(customer_ids=[caller], reason="unsubscribed", now=T0 + D)
    await marketing.suppress(customer_ids=[dana], reason="unsubscribed", now=T0 + 2 * D)
    both, only_caller = await campaign("both"), await campaign("caller")
    await received(both, dana)
    await received(both, caller)
    await received(only_caller, caller)

    # By hand, before: two solves, both eligible and both FCR, one CSAT answer (satisfied),
    # each resolved in 2 h.
    before = (await report())["totals"]
    assert figures(before) == (2, 2, 2, 1, 1, 2.0)

    moved = await merge_customers(keep_id=dana, other_id=caller, actor=alice, now=T0 + 3 * D)

    # After: the same tickets, answers and durations; the call two days after the email's
    # solve is now a repeat contact of the same customer, so the email ticket is not FCR.
    after = (await report())["totals"]
    assert figures(after) == (2, 2, 1, 1, 1, 2.0)
    assert (await facts_of(by_mail))["repeat_contact_ticket"] == by_phone
    assert moved["ticket"] == 1 and moved["interaction"] == 2 and moved["customer_identity"] == 1

    for table in (Ticket, Interaction, CustomerIdentity, TicketMetrics, ConsentChange):
        assert await table.count().where(table.customer == caller) == 0  # type: ignore[attr-defined]
    assert await Ticket.count().where(Ticket.customer == dana) == 2
    assert await SurveyResponse.count().where(SurveyResponse.customer == dana) == 1
    survivor = await Customer.select().where(Customer.id == dana).output(load_json=True).first()
    assert survivor is not None
    assert survivor["tags"] == ["phone", "vip"]
    assert (survivor["marketing_consent"], survivor["consent_source"]) == (False, "unsubscribe")
    history = await ConsentChange.select(ConsentChange.source).where(ConsentChange.customer == dana)
    assert sorted(row["source"] for row in history) == ["form", "form", "merge", "unsubscribe"]
    # One suppression per reason, the earlier one kept.
    [suppression] = await Suppression.select().where(Suppression.customer == dana)
    assert suppression["key"] == f"{dana}:unsubscribed" and suppression["created_at"] == T0 + D
    keys = {
        row["key"]
        for row in await CampaignRecipient.select().where(CampaignRecipient.customer == dana)
    }
    assert keys == {f"{both}:{dana}", f"{both}:{dana}:m{caller}", f"{only_caller}:{dana}"}
    # Audited: on the tickets that moved and on both customers.
    [event] = await TicketEvent.select().where(
        TicketEvent.ticket == by_phone, TicketEvent.field == "customer"
    )
    assert (event["old_value"], event["new_value"]) == (str(caller), str(dana))
    actions = {
        (row["customer"], row["action"])
        for row in await CustomerEvent.select(CustomerEvent.customer, CustomerEvent.action)
    }
    assert actions == {(dana, "merged"), (caller, "merged_into")}
    # The phone finds Dana now.
    assert await find_customer(identity=contact(email=None, phone="+441632960100").identity) == dana


def test_every_table_naming_a_customer_is_moved_by_the_merge() -> None:
    names = {table._meta.tablename for table, _ in customer_references()}
    assert {
        "ticket",
        "interaction",
        "customer_identity",
        "ticket_metrics",
        "survey",
        "survey_response",
        "consent_change",
        "customer_event",
        "customer",  # merged_into: customers merged into `other` point at the survivor
    } <= names


def test_consent_after_a_merge_is_the_most_protective_answer() -> None:
    def answer(consent: bool, source: str, day: int | None) -> dict[str, Any]:
        at = None if day is None else T0 + day * D
        return {"marketing_consent": consent, "consent_source": source, "consent_at": at}

    never = answer(False, "", None)
    given = answer(True, "form", 1)
    withdrawn = answer(False, "unsubscribe", 2)
    assert merged_consent(given, withdrawn)["marketing_consent"] is False
    assert merged_consent(withdrawn, given)["consent_source"] == "unsubscribe"
    assert merged_consent(never, given) == given  # never asked is no withdrawal
    assert merged_consent(never, never) == never


async def test_a_merged_customer_redirects_and_its_profile_is_refused_changes(
    agent_client: httpx.AsyncClient,
) -> None:
    async def customer_of(**identity: str) -> int:
        response = await agent_client.post(
            "/api/contacts", json={"channel": "email", "customer": identity, "body": "hi"}
        )
        return int(response.json()["ticket"]["customer"]["id"])

    keep = await customer_of(email="eve@mail.example")
    other = await customer_of(email="eve.work@mail.example")
    merged = await agent_client.post(f"/api/customers/{keep}/merge", json={"other_id": other})
    assert merged.status_code == 200, merged.text
    assert len(merged.json()["tickets"]) == 2
    redirect = await agent_client.get(f"/api/customers/{other}")
    assert redirect.status_code == 301
    assert redirect.headers["location"] == f"/api/customers/{keep}"
    followed = await agent_client.get(f"/api/customers/{other}", follow_redirects=True)
    assert followed.json()["id"] == keep
    refused = await agent_client.post(
        f"/api/customers/{other}/identities", json={"kind": "email", "value": "x@mail.example"}
    )
    assert refused.status_code == 409 and refused.json()["errors"][0]["field"] == "customer_id"
    unknown = await agent_client.post(f"/api/customers/{keep}/merge", json={"other_id": 99999})
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["field"] == "other_id"
