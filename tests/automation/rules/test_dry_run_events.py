"""The dry run replays the events that have no trace in the tickets' audit trail: new
customers, leads' stage changes, SLA breaches; and its context has a web form's fields.
Each test makes the history through the live services, fires the rule live, and checks
that a dry run over the same period finds the same tickets, customers and leads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from automation.rules import service as rules
from automation.rules.dryrun import dry_run
from automation.rules.tables import RuleRun
from servicedesk.actors import Actor
from servicedesk.channels.form import FormPost, receive_form
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.sales import service as sales
from servicedesk.sla import service as sla
from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import Ticket

from .helpers import contact, desk_team, work

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PERIOD = {"start": T0, "end": T0 + timedelta(days=3)}


def rule_spec(name: str, event: str, conditions: list[dict[str, Any]], action: dict) -> dict:
    """A rule on one event whose conditions must all hold, with one action."""
    return {
        "name": name,
        "trigger": {"events": [event]},
        "conditions": {"all": conditions, "any": []},
        "actions": [action],
    }


async def live_runs(rule_id: int) -> list[dict[str, Any]]:
    """The rule's live firings: their ticket and the payload of the event they fired on."""
    runs = await RuleRun.select(RuleRun.event, RuleRun.ticket).where(RuleRun.rule == rule_id)
    events = {
        row["id"]: row["payload"]
        for row in await OutboxMessage.select(OutboxMessage.id, OutboxMessage.payload)
        .where(OutboxMessage.id.is_in([run["event"] for run in runs] or [0]))
        .output(load_json=True)
    }
    return [{"ticket": run["ticket"], **events[run["event"]]} for run in runs]


async def customer_of(ticket_id: int) -> int:
    row = await Ticket.select(Ticket.customer).where(Ticket.id == ticket_id).first()
    assert row is not None
    return int(row["customer"])


async def test_customer_created_is_replayed_from_the_customers() -> None:
    spec = rule_spec(
        "Shop customers start in consideration",
        "customer.created",
        [{"field": "customer.email", "op": "contains", "value": "@shop.example"}],
        {"type": "set_journey_stage", "value": "consideration"},
    )
    created = await rules.create_rule(data=spec)
    first = await contact(email="a@shop.example", now=T0 + timedelta(hours=1))
    await contact(email="b@other.example", now=T0 + timedelta(hours=2))
    await contact(email="a@shop.example", subject="Again", now=T0 + timedelta(hours=3))
    await contact(email="c@shop.example", now=T0 + timedelta(hours=30))
    await work(now=T0 + timedelta(days=3))
    live = {run["customer_id"] for run in await live_runs(created["id"])}
    assert len(live) == 2  # a and c; b is no shop customer, a's second ticket no new one

    result = await dry_run(rule=spec, **PERIOD)
    assert {item["customer_id"] for item in result["items"]} == live
    assert result["fired"] == 2 and result["tickets"] == 0
    assert {item["ticket_id"] for item in result["items"]} == {None}
    assert [item["at"] for item in result["items"]] == [
        T0 + timedelta(hours=1),
        T0 + timedelta(hours=30),
    ]
    early = await dry_run(rule=spec, start=T0, end=T0 + timedelta(hours=2))
    assert [item["customer_id"] for item in early["items"]] == [await customer_of(first)]


async def test_lead_stage_changes_are_replayed_with_the_lead_as_it_was() -> None:
    people = await desk_team()
    lena = Actor.agent(people["lena"], "lena@desk.example", role="lead")
    spec = rule_spec(
        "Big wins",
        "lead.stage_changed",
        [
            {"field": "lead.stage", "op": "changed_to", "value": "won"},
            {"field": "lead.value", "op": "gte", "value": 1000},
        ],
        {"type": "set_journey_stage", "value": "purchase"},
    )
    created = await rules.create_rule(data=spec)
    # A lead from a ticket, worth 2,000, qualified then won.
    ticket = await contact(email="big@mail.example", now=T0)
    big = await sales.create_lead(
        actor=lena, now=T0 + timedelta(minutes=5), ticket_id=ticket, value=2000
    )
    for hours, stage in ((1, "qualified"), (5, "won")):
        await sales.set_stage(
            lead_id=big.lead_id, stage=stage, actor=lena, now=T0 + timedelta(hours=hours)
        )
    # A lead without a ticket won at 500, and only then said to be worth 5,000.
    customer = await customer_of(await contact(email="s@mail.example", now=T0))
    small = await sales.create_lead(
        actor=lena, now=T0 + timedelta(hours=2), customer_id=customer, value=500
    )
    await sales.set_stage(
        lead_id=small.lead_id, stage="won", actor=lena, now=T0 + timedelta(hours=6)
    )
    await work(now=T0 + timedelta(hours=6))  # the rules see the lead before the edit
    await sales.update_lead(
        lead_id=small.lead_id,
        changes={"value": 5000},
        actor=lena,
        now=T0 + timedelta(hours=7),
    )
    await work(now=T0 + timedelta(days=3))
    live = await live_runs(created["id"])
    assert [(run["lead_id"], run["ticket"]) for run in live] == [(big.lead_id, ticket)]

    result = await dry_run(rule=spec, **PERIOD)
    assert [(item["ticket_id"], item["event"]) for item in result["items"]] == [
        (ticket, "lead.stage_changed")
    ]
    assert result["items"][0]["customer_id"] == live[0]["customer_id"]
    assert result["items"][0]["at"] == T0 + timedelta(hours=5)
    # Every stage change is replayed: a rule on any of them finds the three.
    every = {**spec, "conditions": {"all": [], "any": []}}
    assert (await dry_run(rule=every, **PERIOD))["fired"] == 3


async def test_sla_breaches_are_derived_from_the_replayed_clock() -> None:
    people = await desk_team()
    alice = Actor.agent(people["alice"], "alice@desk.example")
    admin = Actor.agent(people["lena"], "lena@desk.example", role="admin")
    await sla.create_policy(
        values={"name": "Email", "targets": {"normal": {"first_response": 60}}},
        actor=admin,
        now=T0 - timedelta(days=1),
    )
    spec = rule_spec(
        "Late first responses",
        "sla.breached",
        [{"field": "sla.target", "op": "is", "value": "first_response"}],
        {"type": "add_tags", "value": ["late"]},
    )
    created = await rules.create_rule(data=spec)

    async def status(ticket_id: int, value: str, at: datetime) -> None:
        await tickets.update_ticket(
            ticket_id=ticket_id,
            changes={"assignee_id": people["alice"], "status": value},
            actor=alice,
            now=at,
        )

    unanswered = await contact(email="a@mail.example", now=T0)
    answered = await contact(email="b@mail.example", now=T0)
    await tickets.add_agent_message(
        ticket_id=answered,
        actor=alice,
        body="On it",
        public=True,
        now=T0 + timedelta(minutes=30),
    )
    # Pending after 30 minutes: its clock stops, and runs again when it is reopened.
    paused = await contact(email="c@mail.example", now=T0 + timedelta(hours=2))
    await status(paused, "pending", T0 + timedelta(hours=2, minutes=30))
    await sla.check_breaches(now=T0 + timedelta(hours=3))
    await status(paused, "open", T0 + timedelta(hours=5))
    await sla.check_breaches(now=T0 + timedelta(hours=6))
    await work(now=T0 + timedelta(days=1))
    live = await live_runs(created["id"])
    assert {run["ticket"] for run in live} == {unanswered, paused}

    result = await dry_run(rule=spec, **PERIOD)
    assert {item["ticket_id"] for item in result["items"]} == {unanswered, paused}
    assert result["fired"] == 2
    # Dated at the due time the live payload names (live, the check ran later).
    due = {run["ticket"]: datetime.fromisoformat(run["due_at"]) for run in live}
    assert due == {
        unanswered: T0 + timedelta(hours=1),
        paused: T0 + timedelta(hours=5, minutes=30),
    }
    assert {item["ticket_id"]: item["at"] for item in result["items"]} == due
    # A period that ends before the reopened ticket's due time finds only the first.
    early = await dry_run(rule=spec, start=T0, end=T0 + timedelta(hours=5))
    assert [item["ticket_id"] for item in early["items"]] == [unanswered]


async def test_the_web_forms_fields_are_in_the_context() -> None:
    spec = rule_spec(
        "Pricing questions",
        "ticket.created",
        [{"field": "ticket.form.interest", "op": "is", "value": "pricing"}],
        {"type": "add_tags", "value": ["sales-lead"]},
    )
    created = await rules.create_rule(data=spec)
    for hours, interest in ((1, "pricing"), (2, "support")):
        post = FormPost(
            name="Ann Example",
            email=f"{interest}@mail.example",
            subject="Prices",
            message="What does the big plan cost?",
            fields={"interest": interest},
        )
        await receive_form(post=post, ip="192.0.2.1", origin=None, now=T0 + timedelta(hours=hours))
    await work(now=T0 + timedelta(days=1))
    live = {run["ticket"] for run in await live_runs(created["id"])}
    assert len(live) == 1

    result = await dry_run(rule=spec, **PERIOD)
    assert {item["ticket_id"] for item in result["items"]} == live
