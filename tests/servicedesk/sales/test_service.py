"""The sales service: owners in turn, one open lead per customer, stage history and its
event, merges, and the lead report's figures computed by hand."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from servicedesk.actors import Actor
from servicedesk.customers import timeline
from servicedesk.errors import Conflict, Forbidden, Invalid
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.sales import merges, reads, report
from servicedesk.sales import service as sales
from servicedesk.sales.tables import Lead
from servicedesk.settings import get_settings

from .helpers import T0, as_agent, contact, customer_of, lead_for, sales_team

RULE = Actor("rule", label="rule: Pricing")


async def test_owners_go_round_robin_within_the_sales_team(monkeypatch: pytest.MonkeyPatch) -> None:
    people = await sales_team()
    monkeypatch.setenv("SALES_TEAM", "Sales")
    get_settings.cache_clear()
    owners = []
    for n in range(4):
        ticket_id = await contact(f"c{n}@mail.example", now=T0 + timedelta(minutes=n))
        lead_id = await lead_for(ticket_id, RULE, now=T0 + timedelta(minutes=n))
        owners.append((await reads.get_lead(lead_id=lead_id))["owner_id"])
    # Sam, Sue and Lou in id order, then Sam again (his newest lead is the oldest).
    assert owners == [people["sam"], people["sue"], people["lou"], people["sam"]]
    # A team named in the call wins over the setting; a team without agents owns nothing.
    await sales_team()
    from servicedesk.accounts import service as accounts

    await accounts.get_or_create_team(name="Empty")
    ticket_id = await contact("lone@mail.example")
    lead_id = await lead_for(ticket_id, RULE, team="Empty")
    assert (await reads.get_lead(lead_id=lead_id))["owner_id"] is None
    with pytest.raises(Invalid) as refused:
        await lead_for(await contact("x@mail.example"), RULE, team="Nope")
    assert refused.value.field == "team"


async def test_a_second_capture_folds_into_the_open_lead_and_a_closed_lead_allows_a_new_one() -> (
    None
):
    people = await sales_team()
    lou = as_agent(people["lou"])
    first = await contact("ann@mail.example", subject="Pricing please")
    lead_id = await lead_for(first, RULE)
    second = await contact("ann@mail.example", subject="A quote?", now=T0 + timedelta(hours=1))
    again = await sales.create_lead(
        actor=RULE, now=T0 + timedelta(hours=1), ticket_id=second, value=900, stage="qualified"
    )
    assert again == sales.Captured(lead_id, False)
    lead = await reads.get_lead(lead_id=lead_id)
    assert (lead["value"], lead["stage"]) == (900.0, "qualified")  # value filled, stage on
    assert [h["kind"] for h in lead["history"]] == ["created", "contact", "stage"]
    assert lead["history"][1]["changes"]["ticket_id"] == second
    assert await Lead.count() == 1
    # A lead going back cannot: folding never moves a stage backwards.
    await sales.create_lead(actor=RULE, now=T0 + timedelta(hours=2), ticket_id=second, stage="new")
    assert (await reads.get_lead(lead_id=lead_id))["stage"] == "qualified"
    # Won: the customer has no open lead any more, so the next capture opens a new one.
    await sales.set_stage(lead_id=lead_id, stage="won", actor=lou, now=T0 + timedelta(days=1))
    newer = await lead_for(second, RULE, now=T0 + timedelta(days=2))
    assert newer != lead_id
    # Reopening the won lead now would make two open leads: refused, naming the stage.
    with pytest.raises(Conflict) as refused:
        await sales.set_stage(lead_id=lead_id, stage="proposal", actor=lou, now=T0)
    assert refused.value.field == "stage"


async def test_stage_changes_keep_who_and_when_and_write_the_event_in_the_change() -> None:
    people = await sales_team()
    sam = as_agent(people["sam"], "agent", "sam@desk.example")
    ticket_id = await contact("ann@mail.example")
    customer_id = await customer_of(ticket_id)
    lead_id = await lead_for(ticket_id, sam, value=1500)
    assert (await reads.get_lead(lead_id=lead_id))["owner_id"] == people["sam"]  # no team
    later = T0 + timedelta(days=3)
    assert await sales.set_stage(lead_id=lead_id, stage="qualified", actor=sam, now=later)
    assert not await sales.set_stage(lead_id=lead_id, stage="qualified", actor=sam, now=later)
    history = (await reads.get_lead(lead_id=lead_id))["history"]
    assert [(h["kind"], h["from_stage"], h["to_stage"], h["actor_label"]) for h in history] == [
        ("created", None, "new", "sam@desk.example"),
        ("stage", "new", "qualified", "sam@desk.example"),
    ]
    assert history[1]["at"] == later
    events = await OutboxMessage.select().where(OutboxMessage.topic == "lead.stage_changed")
    assert len(events) == 1
    payload = json.loads(events[0]["payload"])
    assert payload == {
        "lead_id": lead_id,
        "customer_id": customer_id,
        "from_stage": "new",
        "to_stage": "qualified",
        "value": 1500.0,
    }
    assert events[0]["ticket"] == ticket_id
    # The customer's timeline shows both, newest first.
    entries, _ = await timeline.page(customer_id=customer_id)
    assert [(e["at"], e["title"]) for e in entries if e["kind"] == "lead"] == [
        (later, f"Lead #{lead_id}: new → qualified"),
        (T0, f"Lead #{lead_id} created (new)"),
    ]
    # Another agent may not move Sam's lead; an unknown stage names the field.
    sue = as_agent(people["sue"], "agent", "sue@desk.example")
    with pytest.raises(Forbidden):
        await sales.set_stage(lead_id=lead_id, stage="won", actor=sue, now=later)
    with pytest.raises(Invalid) as refused:
        await sales.set_stage(lead_id=lead_id, stage="signed", actor=sam, now=later)
    assert refused.value.field == "stage"


async def test_the_stages_come_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAD_STAGES", "new, demo ,trial,won")
    get_settings.cache_clear()
    assert sales.stages() == ["new", "demo", "trial", "won", "lost"]
    assert sales.open_stages() == ["new", "demo", "trial"]


async def test_merging_two_leads_keeps_both_histories() -> None:
    people = await sales_team()
    lou = as_agent(people["lou"])
    ticket_id = await contact("ann@mail.example")
    first = await lead_for(ticket_id, lou)
    await sales.set_stage(lead_id=first, stage="lost", actor=lou, now=T0 + timedelta(hours=1))
    second = await lead_for(ticket_id, lou, now=T0 + timedelta(hours=2), value=300)
    await merges.merge_leads(lead_id=first, other_id=second, actor=lou, now=T0 + timedelta(hours=3))
    kept = await reads.get_lead(lead_id=first)
    # The kept lead was lost and the other open: it takes the open one's stage and value.
    assert (kept["stage"], kept["value"], kept["open"]) == ("new", 300.0, True)
    assert [(h["lead_id"], h["kind"]) for h in kept["history"]] == [
        (first, "created"),
        (first, "stage"),
        (second, "created"),
        (first, "stage"),
        (first, "merged"),
    ]
    other = await reads.get_lead(lead_id=second)
    assert (other["merged_into"], other["open"]) == (first, False)
    assert [lead["id"] for lead in await reads.list_leads()] == [first]
    with pytest.raises(Conflict):
        await sales.set_stage(lead_id=second, stage="won", actor=lou, now=T0)
    with pytest.raises(Invalid) as refused:
        await merges.merge_leads(lead_id=first, other_id=first, actor=lou, now=T0)
    assert refused.value.field == "other_id"


async def test_the_lead_report_figures_by_hand() -> None:
    people = await sales_team()
    sam, sue = as_agent(people["sam"], "agent", "sam"), as_agent(people["sue"], "agent", "sue")
    day = timedelta(days=1)

    async def lead(
        n: int, who: Actor, value: int, path: list[tuple[str, int]], currency: str = "EUR"
    ) -> int:
        ticket_id = await contact(f"r{n}@mail.example")
        lead_id = await lead_for(ticket_id, who, value=value, currency=currency)
        for stage, days in path:
            await sales.set_stage(lead_id=lead_id, stage=stage, actor=who, now=T0 + days * day)
        return lead_id

    def money(**amounts: float) -> list[dict[str, object]]:
        return [{"currency": code, "amount": amount} for code, amount in amounts.items()]

    # Sam: won 1000 EUR (new 2 days, qualified 4 days), lost 500 EUR (new 1 day), open
    # 200 USD (new; given in lower case, kept in upper).
    await lead(1, sam, 1000, [("qualified", 2), ("won", 6)])
    await lead(2, sam, 500, [("lost", 1)])
    await lead(3, sam, 200, [], currency="usd")
    # Sue: won 300 USD (new 4 days, qualified 2 days), open 700 EUR in proposal (new 6,
    # qualified 1).
    await lead(4, sue, 300, [("qualified", 4), ("won", 6)], currency="USD")
    await lead(5, sue, 700, [("qualified", 6), ("proposal", 7)])
    # A manual lead (no ticket) of Sue's: its source channel is "manual"; EUR by default.
    customer_id = await customer_of(await contact("r6@mail.example"))
    await sales.create_lead(actor=sue, now=T0, customer_id=customer_id, value=50)
    found = await report.lead_report()
    assert found["leads"] == 6
    # Each currency summed apart, sorted by code: never 950 or 1300 across currencies.
    assert found["open_value"] == money(EUR=750.0, USD=200.0)
    assert found["won_value"] == money(EUR=1000.0, USD=300.0)
    assert {r["stage"]: (r["leads"], r["value"]) for r in found["pipeline"]} == {
        "new": (2, money(EUR=50.0, USD=200.0)),
        "qualified": (0, []),
        "proposal": (1, money(EUR=700.0)),
        "won": (2, money(EUR=1000.0, USD=300.0)),
        "lost": (1, money(EUR=500.0)),
    }
    assert {
        r["channel"]: (r["leads"], r["won"], r["conversion_rate"], r["won_value"])
        for r in found["by_channel"]
    } == {
        "email": (5, 2, 0.4, money(EUR=1000.0, USD=300.0)),
        "manual": (1, 0, 0.0, []),
    }
    # new: stays of 2, 1, 4, 6 days -> median 3; qualified: 4, 2, 1 -> 2; proposal: none.
    assert {r["stage"]: (r["stays"], r["median_days"]) for r in found["time_in_stage"]} == {
        "new": (4, 3.0),
        "qualified": (3, 2.0),
        "proposal": (0, None),
    }
    assert {
        r["owner_name"]: (r["won"], r["lost"], r["win_rate"], r["won_value"])
        for r in found["by_owner"]
    } == {
        "Sam": (1, 1, 0.5, money(EUR=1000.0)),
        "Sue": (1, 0, 1.0, money(USD=300.0)),
    }
    # The CSV: a row per section, name and currency; the counts on the first row of each
    # name only (column sums count a lead once); a row with no currency where none is.
    rows = list(csv.reader(io.StringIO(report.report_csv(found))))
    assert rows == [
        ["section", "name", "currency", "leads", "value", "won", "lost", "rate", "median_days"],
        ["pipeline", "new", "EUR", "2", "50.0", "", "", "", ""],
        ["pipeline", "new", "USD", "", "200.0", "", "", "", ""],
        ["pipeline", "qualified", "", "0", "", "", "", "", ""],
        ["pipeline", "proposal", "EUR", "1", "700.0", "", "", "", ""],
        ["pipeline", "won", "EUR", "2", "1000.0", "", "", "", ""],
        ["pipeline", "won", "USD", "", "300.0", "", "", "", ""],
        ["pipeline", "lost", "EUR", "1", "500.0", "", "", "", ""],
        ["channel", "email", "EUR", "5", "1000.0", "2", "1", "0.4", ""],
        ["channel", "email", "USD", "", "300.0", "", "", "", ""],
        ["channel", "manual", "", "1", "", "0", "0", "0.0", ""],
        ["time_in_stage", "new", "", "4", "", "", "", "", "3.0"],
        ["time_in_stage", "qualified", "", "3", "", "", "", "", "2.0"],
        ["time_in_stage", "proposal", "", "0", "", "", "", "", ""],
        ["owner", "Sam", "EUR", "3", "1000.0", "1", "1", "0.5", ""],
        ["owner", "Sue", "USD", "3", "300.0", "1", "0", "1.0", ""],
    ]
    # A period: only the leads created in it.
    assert (await report.lead_report(start=T0 + day, end=T0 + 2 * day))["leads"] == 0


async def test_two_captures_at_the_same_moment_make_one_lead() -> None:
    import asyncio

    ticket_id = await contact("ann@mail.example")
    results = await asyncio.gather(
        *[
            sales.create_lead(actor=RULE, now=T0 + timedelta(seconds=n), ticket_id=ticket_id)
            for n in range(4)
        ]
    )
    assert len({r.lead_id for r in results}) == 1
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert await Lead.count() == 1


async def test_merging_two_customers_keeps_one_open_lead_with_both_histories() -> None:
    """customers.merge moves leads by sales' rule: both customers' open leads fold into
    one (the unique open lead per customer holds), a closed one simply moves."""
    from servicedesk.customers import merge

    people = await sales_team()
    lou = as_agent(people["lou"])
    ann_ticket, other_ticket = await contact("ann@mail.example"), await contact("a@mail.example")
    ann, other = await customer_of(ann_ticket), await customer_of(other_ticket)
    kept = await lead_for(ann_ticket, lou, value=100)
    won = await lead_for(other_ticket, lou, now=T0 - timedelta(days=30))
    assert await sales.set_stage(lead_id=won, stage="won", actor=lou, now=T0 - timedelta(1))
    folded = await lead_for(other_ticket, lou, value=250)

    await merge.merge_customers(keep_id=ann, other_id=other, actor=lou, now=T0 + timedelta(1))

    leads = {r["id"]: r for r in await Lead.select().where(Lead.id.is_in([kept, folded, won]))}
    assert {r["customer"] for r in leads.values()} == {ann}
    assert [i for i, r in leads.items() if r["open_key"] is not None] == [kept]
    assert leads[folded]["merged_into"] == kept
    history = (await reads.get_lead(lead_id=kept))["history"]
    assert history[-1]["kind"] == "merged" and history[-1]["changes"]["lead_id"] == folded
