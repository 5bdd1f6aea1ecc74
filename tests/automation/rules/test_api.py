"""The rules API: roles, CRUD, the catalog, and each way a rule is refused (422 naming the
field by its dotted path)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import make_agent

RULE: dict[str, Any] = {
    "name": "Refund requests are urgent",
    "active": True,
    "position": 10,
    "trigger": {"events": ["ticket.created", "message.received"]},
    "conditions": {
        "all": [{"field": "ticket.subject", "op": "contains", "value": "refund"}],
        "any": [],
    },
    "actions": [
        {"type": "set", "field": "priority", "value": "urgent"},
        {"type": "add_tags", "value": ["refund"]},
    ],
}


def with_condition(condition: dict[str, Any]) -> dict[str, Any]:
    return {**RULE, "conditions": {"all": [condition], "any": []}}


def with_action(action: dict[str, Any]) -> dict[str, Any]:
    return {**RULE, "actions": [RULE["actions"][0], action]}


async def test_agents_cannot_manage_rules(agent_client: httpx.AsyncClient) -> None:
    assert (await agent_client.get("/api/automation/rules")).status_code == 403
    assert (await agent_client.post("/api/automation/rules", json=RULE)).status_code == 403
    assert (await agent_client.get("/api/automation/catalog")).status_code == 403


async def test_a_lead_creates_reads_changes_and_deletes_a_rule(
    lead_client: httpx.AsyncClient,
) -> None:
    created = await lead_client.post("/api/automation/rules", json=RULE)
    assert created.status_code == 201, created.text
    rule = created.json()
    assert {k: rule[k] for k in RULE} == RULE
    assert (rule["fired_count"], rule["error_count"], rule["last_fired_at"]) == (0, 0, None)
    path = f"/api/automation/rules/{rule['id']}"
    changed = await lead_client.patch(path, json={"active": False, "position": 3})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["active"], changed.json()["position"]) == (False, 3)
    assert changed.json()["actions"] == RULE["actions"]
    listed = (await lead_client.get("/api/automation/rules")).json()
    assert [r["id"] for r in listed] == [rule["id"]]
    assert (await lead_client.get(f"{path}/runs")).json() == []
    duplicate = await lead_client.post("/api/automation/rules", json=RULE)
    assert duplicate.status_code == 409 and duplicate.json()["errors"][0]["field"] == "name"
    assert (await lead_client.delete(path)).status_code == 204
    assert (await lead_client.get(path)).status_code == 404
    assert (await lead_client.patch(path, json={"active": True})).status_code == 404


async def test_the_catalog_lists_fields_operators_actions_and_live_choices(
    admin_client: httpx.AsyncClient,
) -> None:
    await make_agent("alice@desk.example", "agent", team="Support")
    response = await admin_client.get("/api/automation/catalog")
    assert response.status_code == 200, response.text
    catalog = response.json()
    assert "ticket.solved" in catalog["events"] and "lead.stage_changed" in catalog["events"]
    fields = {f["name"]: f for f in catalog["fields"]}
    assert fields["ticket.status"]["type"] == "choice"
    assert "alice@desk.example" in fields["ticket.assignee"]["choices"]
    assert fields["ticket.team"]["choices"] == ["Support"]
    assert fields["ticket.business_hours_in_status"]["type"] == "number"
    assert "matches" in catalog["operators"]["text"] and "gt" in catalog["operators"]["number"]
    actions = {a["type"]: a for a in catalog["actions"]}
    assert {"create_lead", "set_lead_stage", "set_journey_stage", "send_campaign"} <= set(actions)
    notify = {p["name"]: p for p in actions["notify"]["params"]}
    assert notify["to"]["choices"] == ["agent", "team", "leads"]
    assert "alice@desk.example" in notify["agent"]["choices"]


REFUSED = [
    ({**RULE, "colour": "red"}, "colour"),
    ({**RULE, "trigger": {"events": ["ticket.exploded"]}}, "trigger.events[0]"),
    ({**RULE, "trigger": {"every": "hour"}}, "trigger.every"),
    (with_condition({"field": "ticket.mood", "op": "is", "value": "x"}), "conditions.all[0].field"),
    (
        with_condition({"field": "ticket.status", "op": "sounds_like", "value": "x"}),
        "conditions.all[0].op",
    ),
    (
        with_condition({"field": "ticket.reopens", "op": "contains", "value": "x"}),
        "conditions.all[0].op",
    ),
    (
        with_condition({"field": "ticket.reopens", "op": "gt", "value": "two"}),
        "conditions.all[0].value",
    ),
    (
        with_condition({"field": "ticket.status", "op": "is", "value": "sleeping"}),
        "conditions.all[0].value",
    ),
    (
        with_condition({"field": "message.body", "op": "matches", "value": "(a+)+$"}),
        "conditions.all[0].value",
    ),
    (
        with_condition({"field": "message.body", "op": "matches", "value": r"(\w)\1"}),
        "conditions.all[0].value",
    ),
    (
        with_condition({"field": "message.body", "op": "matches", "value": "a" * 201}),
        "conditions.all[0].value",
    ),
    (
        with_condition({"field": "ticket.assignee", "op": "is", "value": "ghost@desk.example"}),
        "conditions.all[0].value",
    ),
    (
        with_condition({"field": "lead.stage", "op": "is", "value": "signed"}),
        "conditions.all[0].value",
    ),
    (with_action({"type": "teleport"}), "actions[1].type"),
    (with_action({"type": "set", "field": "priority", "value": "whenever"}), "actions[1].value"),
    (with_action({"type": "add_tags", "value": "not-a-list"}), "actions[1].value"),
    (
        with_action({"type": "set", "field": "assignee", "value": "ghost@desk.example"}),
        "actions[1].value",
    ),
    (with_action({"type": "set", "field": "team", "value": "Nobody"}), "actions[1].value"),
    (with_action({"type": "note", "body": "{{ ticket.nope }}"}), "actions[1].body"),
    (
        with_action({"type": "note", "body": "{{ ticket.subject.__class__.__mro__ }}"}),
        "actions[1].body",
    ),
    (
        with_action({"type": "email_customer", "subject": "{% if %}", "body": "x"}),
        "actions[1].subject",
    ),
    (
        with_action(
            {
                "type": "notify",
                "to": "agent",
                "agent": "ghost@desk.example",
                "subject": "s",
                "body": "b",
            }
        ),
        "actions[1].agent",
    ),
    (with_action({"type": "webhook", "webhook_id": 99}), "actions[1].webhook_id"),
    (with_action({"type": "create_lead", "value": "x"}), "actions[1].value"),
    (with_action({"type": "set_journey_stage", "value": "x"}), "actions[1].value"),
    (with_action({"type": "set_journey_stage"}), "actions[1].value"),
    (
        with_condition({"field": "customer.journey_stage", "op": "is", "value": "golden"}),
        "conditions.all[0].value",
    ),
    (
        with_action({"type": "follow_up", "after_hours": -1, "subject": "s", "body": "b"}),
        "actions[1].after_hours",
    ),
]


@pytest.mark.parametrize(("rule", "field"), REFUSED)
async def test_a_bad_rule_is_refused_naming_the_field(
    lead_client: httpx.AsyncClient, rule: dict[str, Any], field: str
) -> None:
    response = await lead_client.post("/api/automation/rules", json=rule)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field, response.json()


async def test_time_rules_that_re_arm_each_other_are_refused_naming_the_other(
    lead_client: httpx.AsyncClient,
) -> None:
    def flip(name: str, when: str, to: str) -> dict[str, Any]:
        return {
            "name": name,
            "trigger": {"every": "minute"},
            "conditions": {"all": [{"field": "ticket.status", "op": "is", "value": when}]},
            "actions": [{"type": "set", "field": "status", "value": to}],
        }

    first = await lead_client.post("/api/automation/rules", json=flip("A", "pending", "open"))
    assert first.status_code == 201, first.text
    second = await lead_client.post("/api/automation/rules", json=flip("B", "open", "pending"))
    assert second.status_code == 422, second.text
    problem = second.json()
    assert problem["errors"][0]["field"] == "actions" and "'A'" in problem["detail"]
    # A rule that does not give the condition back is fine.
    third = await lead_client.post("/api/automation/rules", json=flip("C", "open", "on_hold"))
    assert third.status_code == 201, third.text


async def test_openapi_lists_the_rule_endpoints_answers(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    post = schema["paths"]["/api/automation/rules"]["post"]
    assert {"201", "401", "403", "409", "422"} <= set(post["responses"])
    assert "application/problem+json" in post["responses"]["422"]["content"]
