"""Rules and sales leads: a live contact about pricing captures a lead through the
built-in rule, lead.stage_changed runs rules, set_lead_stage, lead fields, checks at save."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from automation.rules import service as rules
from automation.rules.cli import builtin_templates
from servicedesk.actors import Actor
from servicedesk.clock import utcnow
from servicedesk.errors import Invalid
from servicedesk.sales import reads
from servicedesk.sales import service as sales
from servicedesk.settings import get_settings
from servicedesk.tickets import service as tickets

from .helpers import contact, rule, run_log, work

PRICING = "Pricing, quote or demo request creates a sales lead"


async def test_a_live_contact_about_pricing_becomes_a_lead_through_the_builtin_rule(
    agent_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import make_agent

    sam = await make_agent("sam@desk.example", "agent", team="Sales")
    monkeypatch.setenv("SALES_TEAM", "Sales")
    get_settings.cache_clear()
    await rules.import_rules(rules=builtin_templates())
    posted = await agent_client.post(
        "/api/contacts",
        json={
            "channel": "web",
            "customer": {"email": "ann@mail.example", "name": "Ann"},
            "subject": "Question",
            "body": "Hello, what is your pricing for 20 seats?",
        },
    )
    assert posted.status_code == 201, posted.text
    ticket_id = posted.json()["ticket"]["id"]
    other = await agent_client.post(
        "/api/contacts",
        json={"channel": "email", "customer": {"email": "bob@mail.example"}, "body": "My order"},
    )
    assert other.status_code == 201
    await work()
    [lead] = await reads.list_leads()
    assert (lead["source_ticket_id"], lead["source_channel"], lead["owner_id"]) == (
        ticket_id,
        "web",
        sam,
    )
    history = (await reads.get_lead(lead_id=lead["id"]))["history"]
    assert [(h["kind"], h["actor_kind"], h["actor_label"]) for h in history] == [
        ("created", "rule", f"rule: {PRICING}")
    ]
    assert (await tickets.get_ticket(ticket_id=ticket_id))["tags"] == ["sales-lead"]
    # A later message asking for a quote folds into the same lead.
    await contact(body="Could you send a quote?", email="ann@mail.example", ticket_id=ticket_id)
    await work()
    assert len(await reads.list_leads()) == 1
    kinds = [h["kind"] for h in (await reads.get_lead(lead_id=lead["id"]))["history"]]
    assert kinds == ["created", "contact"]


async def test_lead_stage_changed_runs_rules_with_lead_fields() -> None:
    won = await rule(
        name="Big win",
        trigger={"events": ["lead.stage_changed"]},
        conditions={
            "all": [
                {"field": "lead.stage", "op": "changed_to", "value": "won"},
                {"field": "lead.value", "op": "gte", "value": 1000},
                {"field": "customer.lead_stage", "op": "is", "value": "won"},
            ]
        },
        actions=[
            {"type": "add_tags", "value": ["big-win"]},
            {"type": "note", "body": "Won {{ lead.value }}"},
        ],
    )
    ticket_id = await contact(subject="Need a demo")
    small_ticket = await contact(subject="Demo too", email="bob@mail.example")
    seller = await _seller()
    big = await sales.create_lead(actor=seller, now=_now(), ticket_id=ticket_id, value=5000)
    small = await sales.create_lead(actor=seller, now=_now(), ticket_id=small_ticket, value=10)
    for captured in (big, small):
        await sales.set_stage(lead_id=captured.lead_id, stage="qualified", actor=seller, now=_now())
        await sales.set_stage(lead_id=captured.lead_id, stage="won", actor=seller, now=_now())
    await work()
    runs = await run_log(won["id"])
    assert [(r["ticket_id"], r["event"], r["error"]) for r in runs] == [
        (ticket_id, "lead.stage_changed", None)
    ]
    assert "big-win" in (await tickets.get_ticket(ticket_id=ticket_id))["tags"]
    notes = await tickets.interactions_of(ticket_id=ticket_id)
    assert any(n["body_text"] == "Won 5000.0" for n in notes)
    assert (await tickets.get_ticket(ticket_id=small_ticket))["tags"] == []


def _now() -> datetime:
    return utcnow()


async def _seller() -> Actor:
    from tests.conftest import make_agent

    return Actor.agent(await make_agent("adam@desk.example", "admin"), "adam", "admin")


async def test_set_lead_stage_moves_the_customers_lead_as_the_rule() -> None:
    created = await rule(
        name="Not interested",
        trigger={"events": ["message.received"]},
        conditions={
            "all": [
                {"field": "message.body", "op": "contains", "value": "not interested"},
                {"field": "lead.stage", "op": "in", "value": ["new", "qualified", "proposal"]},
            ]
        },
        actions=[{"type": "set_lead_stage", "value": "lost", "lost_reason": "Said no"}],
    )
    ticket_id = await contact(subject="Pricing")
    lead = await sales.create_lead(actor=await _seller(), now=_now(), ticket_id=ticket_id)
    await contact(body="We are not interested anymore", ticket_id=ticket_id)
    other = await contact(body="not interested", email="nolead@mail.example")
    await work()
    found = await reads.get_lead(lead_id=lead.lead_id)
    assert (found["stage"], found["lost_reason"]) == ("lost", "Said no")
    assert found["history"][-1]["actor_label"] == "rule: Not interested"
    # A customer without a lead: the condition on lead.stage does not hold, nothing runs.
    assert [r["ticket_id"] for r in await run_log(created["id"])] == [ticket_id]
    assert other != ticket_id


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"actions": [{"type": "create_lead", "stage": "signed"}]}, "actions[0].stage"),
        ({"actions": [{"type": "create_lead", "team": "Nope"}]}, "actions[0].team"),
        ({"actions": [{"type": "create_lead", "value": -5}]}, "actions[0].value"),
        ({"actions": [{"type": "set_lead_stage", "value": "signed"}]}, "actions[0].value"),
        (
            {
                "conditions": {"all": [{"field": "customer.lead_stage", "op": "is", "value": "x"}]},
                "actions": [{"type": "add_tags", "value": ["a"]}],
            },
            "conditions.all[0].value",
        ),
        (
            {
                "conditions": {"all": [{"field": "lead.value", "op": "contains", "value": "1"}]},
                "actions": [{"type": "add_tags", "value": ["a"]}],
            },
            "conditions.all[0].op",
        ),
    ],
)
async def test_lead_actions_and_fields_are_checked_when_saved(spec: dict, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        await rule(**spec)
    assert refused.value.field == field


async def test_the_catalog_offers_the_lead_actions_and_event(
    admin_client: httpx.AsyncClient,
) -> None:
    catalog = (await admin_client.get("/api/automation/catalog")).json()
    assert "lead.stage_changed" in catalog["events"]
    actions = {a["type"] for a in catalog["actions"]}
    assert {"create_lead", "set_lead_stage"} <= actions
    fields = {f["name"] for f in catalog["fields"]}
    assert {"lead.stage", "lead.value", "customer.lead_stage"} <= fields
    bad = await admin_client.post(
        "/api/automation/rules",
        json={
            "name": "x",
            "trigger": {"events": ["lead.stage_changed"]},
            "conditions": {"all": [], "any": []},
            "actions": [{"type": "set_lead_stage", "value": "nope"}],
        },
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "actions[0].value"
