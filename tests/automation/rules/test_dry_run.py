"""The dry run: a rule replayed over a past period changes nothing and finds the tickets
the live desk fired it on (event rules and time rules), through the API and the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from automation.rules import service as rules
from automation.rules.actions import describe
from automation.rules.dryrun import dry_run
from automation.rules.tables import RuleRun
from automation.rules.timerules import tick
from servicedesk.actors import Actor
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import TicketEvent

from .helpers import automation_cli, contact, desk_team, work

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

REFUND_RULE = {
    "name": "Refund messages get a tag",
    "trigger": {"events": ["ticket.created", "message.received"]},
    "conditions": {
        "all": [{"field": "ticket.status", "op": "is_not", "value": "solved"}],
        "any": [
            {"field": "ticket.subject", "op": "contains", "value": "refund"},
            {"field": "message.body", "op": "contains", "value": "refund"},
        ],
    },
    "actions": [{"type": "add_tags", "value": ["refund"]}],
}
PENDING_RULE = {
    "name": "Pending for a day",
    "trigger": {"every": "minute"},
    "conditions": {
        "all": [
            {"field": "ticket.status", "op": "is", "value": "pending"},
            {"field": "ticket.hours_in_status", "op": "gte", "value": 24},
        ],
        "any": [],
    },
    "actions": [{"type": "add_tags", "value": ["waited"]}],
}


class History:
    """A few tickets over two days: refund requests by subject and by a later message,
    one that never mentions a refund, and tickets left pending. `play(since, until)` makes
    the steps of [since, until), so a test can step the clock through it."""

    def __init__(self, people: dict[str, int]) -> None:
        self.people = people
        self.ids: dict[str, int] = {}
        self.steps: list[tuple[int, Any]] = [
            (0, lambda at: self.opened("by_subject", "Refund for order 7", "a@mail.example", at)),
            (0, lambda at: self.opened("plain", "Where is my parcel", "b@mail.example", at)),
            (0, lambda at: self.opened("later", "Broken lid", "c@mail.example", at)),
            (3, lambda at: self.writes("later", "Actually I want a refund", "c@", at)),
            (4, lambda at: self.writes("plain", "thanks", "b@", at)),
            (5, lambda at: self.pending("plain", at)),
            (5, lambda at: self.pending("later", at)),
            (40, lambda at: self.writes("later", "any news?", "c@", at)),
        ]

    async def opened(self, name: str, subject: str, email: str, at: datetime) -> None:
        self.ids[name] = await contact(subject=subject, email=email, now=at)

    async def writes(self, name: str, body: str, sender: str, at: datetime) -> None:
        email = sender + "mail.example"
        await contact(body=body, email=email, ticket_id=self.ids[name], now=at)

    async def pending(self, name: str, at: datetime) -> None:
        alice = Actor.agent(self.people["alice"], "alice@desk.example")
        await tickets.update_ticket(
            ticket_id=self.ids[name],
            changes={"assignee_id": self.people["alice"], "status": "pending"},
            actor=alice,
            now=at,
        )

    async def play(self, since: datetime = T0, until: datetime | None = None) -> dict[str, int]:
        for offset, step in self.steps:
            at = T0 + timedelta(hours=offset, minutes=1)
            if since <= at and (until is None or at < until):
                await step(at)
        return self.ids


async def history(people: dict[str, int]) -> dict[str, int]:
    return await History(people).play()


async def fired_live(rule_id: int) -> set[int]:
    rows = await RuleRun.select(RuleRun.ticket).where(RuleRun.rule == rule_id)
    return {row["ticket"] for row in rows}


async def changes_count() -> tuple[int, int]:
    return await TicketEvent.count(), await OutboxMessage.count()


async def test_an_event_rule_dry_run_finds_the_tickets_it_fired_on_live() -> None:
    people = await desk_team()
    created = await rules.create_rule(data=REFUND_RULE)
    ids = await history(people)
    await work(now=T0 + timedelta(days=3))
    live = await fired_live(created["id"])
    assert live == {ids["by_subject"], ids["later"]}

    before = await changes_count()
    result = await dry_run(rule=REFUND_RULE, start=T0, end=T0 + timedelta(days=3))
    assert await changes_count() == before  # nothing changed
    assert {item["ticket_id"] for item in result["items"]} == live
    # ticket.created of the first, message.received of the third; and the third's last
    # message mentions no refund.
    assert result["fired"] == 2 and result["tickets"] == 2
    assert [item["event"] for item in result["items"]] == ["ticket.created", "message.received"]
    assert result["items"][0]["actions"] == [describe({"type": "add_tags", "value": ["refund"]})]
    # A period that ends before the refund message finds only the first ticket.
    early = await dry_run(rule=REFUND_RULE, start=T0, end=T0 + timedelta(hours=2))
    assert {item["ticket_id"] for item in early["items"]} == {ids["by_subject"]}


async def test_a_time_rule_dry_run_matches_hourly_live_passes() -> None:
    people = await desk_team()
    created = await rules.create_rule(data=PENDING_RULE)
    story = History(people)
    end = T0 + timedelta(days=3)
    hour = T0
    while hour < end:
        # The history of the past hour, then the pass at the full hour.
        await story.play(since=hour - timedelta(hours=1), until=hour)
        await tick(now=hour)
        hour += timedelta(hours=1)
    ids = story.ids
    live = await fired_live(created["id"])
    # "plain" stayed pending from hour 5; "later" was reopened by its message at hour 40,
    # after its 24 hours pending.
    assert live == {ids["plain"], ids["later"]}

    result = await dry_run(rule=PENDING_RULE, start=T0, end=end)
    assert {item["ticket_id"] for item in result["items"]} == live
    assert result["fired"] == 2
    # Pending from 5:01, so 24 hours have passed at the pass of hour 30, live and replayed.
    assert sorted(item["at"] for item in result["items"]) == [T0 + timedelta(hours=30)] * 2
    runs = await RuleRun.select(RuleRun.at).where(RuleRun.rule == created["id"])
    assert sorted(row["at"] for row in runs) == [T0 + timedelta(hours=30)] * 2


async def test_the_api_answers_the_spec_shape_and_refuses_bad_input(
    lead_client: httpx.AsyncClient,
) -> None:
    people = await desk_team()
    await history(people)
    body = {
        "rule": REFUND_RULE,
        "from": T0.isoformat(),
        "to": (T0 + timedelta(days=3)).isoformat(),
    }
    response = await lead_client.post("/api/automation/dry-run", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"fired", "tickets", "items"}
    assert answer["fired"] == 2
    assert set(answer["items"][0]) == {
        "ticket_id",
        "subject",
        "customer_id",
        "event",
        "at",
        "actions",
    }

    bad_op = json.loads(json.dumps(REFUND_RULE))
    bad_op["conditions"]["all"][0]["op"] = "resembles"
    response = await lead_client.post("/api/automation/dry-run", json={**body, "rule": bad_op})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "conditions.all[0].op"

    backwards = {**body, "to": (T0 - timedelta(days=1)).isoformat()}
    response = await lead_client.post("/api/automation/dry-run", json=backwards)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "to"

    response = await lead_client.post("/api/automation/dry-run", json={"rule": REFUND_RULE})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_agents_cannot_dry_run(agent_client: httpx.AsyncClient) -> None:
    body = {"rule": REFUND_RULE, "from": T0.isoformat(), "to": T0.isoformat()}
    response = await agent_client.post("/api/automation/dry-run", json=body)
    assert response.status_code == 403


async def test_the_cli_prints_json_and_a_table(tmp_path: Path) -> None:
    people = await desk_team()
    ids = await history(people)
    rule_file = tmp_path / "rule.json"
    rule_file.write_text(json.dumps(REFUND_RULE))
    period = ["--from", T0.isoformat(), "--to", (T0 + timedelta(days=3)).isoformat()]
    answer = json.loads(automation_cli("dry-run", str(rule_file), *period))
    assert answer["fired"] == 2
    assert {item["ticket_id"] for item in answer["items"]} == {ids["by_subject"], ids["later"]}
    table = automation_cli("dry-run", str(rule_file), *period, "--format", "table")
    assert "fired 2 times on 2 tickets" in table
    assert f"#{ids['by_subject']}" in table
