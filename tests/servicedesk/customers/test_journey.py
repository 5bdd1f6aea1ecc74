"""Journey stages: set by hand (PATCH and the dedicated endpoint), refused when unknown,
kept in the history with who did it, configurable, and counted by the funnel report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from servicedesk.actors import SYSTEM, Actor
from servicedesk.customers import journey
from servicedesk.customers.tables import Customer, JourneyChange
from servicedesk.errors import Invalid

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def new_customer(name: str = "Ann") -> int:
    rows = await Customer.insert(Customer(name=name, created_at=T0))
    return int(rows[0]["id"])


async def contact(client: Any, email: str, name: str = "Dana") -> int:
    response = await client.post(
        "/api/contacts",
        json={"channel": "email", "customer": {"email": email, "name": name}, "body": "hi"},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["ticket"]["customer"]["id"])


async def test_patch_sets_the_stage_and_the_history_names_the_agent(agent_client: Any) -> None:
    customer_id = await contact(agent_client, "dana@mail.example")
    response = await agent_client.patch(
        f"/api/customers/{customer_id}", json={"journey_stage": "consideration"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["journey_stage"] == "consideration"
    moved = await agent_client.put(
        f"/api/customers/{customer_id}/journey-stage", json={"stage": "purchase"}
    )
    assert moved.json()["journey_stage"] == "purchase"
    history = (await agent_client.get(f"/api/customers/{customer_id}/journey")).json()
    assert [(h["from_stage"], h["to_stage"], h["source"]) for h in history] == [
        ("consideration", "purchase", "agent"),
        (None, "consideration", "agent"),
    ]
    assert history[0]["actor"]  # the agent's name


async def test_an_unknown_stage_is_a_422_naming_the_field(agent_client: Any) -> None:
    customer_id = await contact(agent_client, "erin@mail.example")
    patched = await agent_client.patch(
        f"/api/customers/{customer_id}", json={"journey_stage": "golden"}
    )
    assert patched.status_code == 422
    assert patched.json()["errors"][0]["field"] == "journey_stage"
    put = await agent_client.put(f"/api/customers/{customer_id}/journey-stage", json={"stage": "x"})
    assert put.status_code == 422
    assert put.json()["errors"][0]["field"] == "stage"
    missing = await agent_client.put("/api/customers/999999/journey-stage", json={"stage": None})
    assert missing.status_code == 404
    assert await JourneyChange.count() == 0


async def test_the_same_stage_again_writes_no_history() -> None:
    customer_id = await new_customer()
    assert await journey.set_stage(customer_id=customer_id, stage="loyal", actor=SYSTEM)
    assert not await journey.set_stage(customer_id=customer_id, stage="loyal", actor=SYSTEM)
    assert await JourneyChange.count() == 1


async def test_the_stages_are_a_setting(agent_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEY_STAGES", "lead, trial ,customer")
    from servicedesk.settings import get_settings

    get_settings.cache_clear()
    stages = (await agent_client.get("/api/customers/journey-stages")).json()["stages"]
    assert stages == ["lead", "trial", "customer"]
    customer_id = await new_customer()
    with pytest.raises(Invalid):
        await journey.set_stage(customer_id=customer_id, stage="awareness", actor=SYSTEM)
    await journey.set_stage(customer_id=customer_id, stage="trial", actor=SYSTEM)


async def test_import_and_rule_sources_are_recorded() -> None:
    customer_id = await new_customer()
    rule = Actor("rule", label="rule: onboard")
    await journey.set_stage(customer_id=customer_id, stage="onboarding", actor=rule)
    await journey.set_stage(customer_id=customer_id, stage="support", actor=SYSTEM, source="import")
    rows = await journey.history(customer_id=customer_id)
    assert [(r["source"], r["actor_label"]) for r in rows] == [
        ("import", "system"),
        ("rule", "rule: onboard"),
    ]


# ---------------------------------------------------------------- the funnel


async def _story(customer_id: int, *steps: tuple[int, str | None]) -> None:
    for hours, stage in steps:
        await journey.set_stage(
            customer_id=customer_id,
            stage=stage,
            actor=SYSTEM,
            now=T0 + timedelta(hours=hours),
        )


async def test_funnel_counts_entries_exits_transitions_and_conversion(lead_client: Any) -> None:
    a, b, c, d = [await new_customer(n) for n in "abcd"]
    # a: awareness → consideration → purchase (all in the period)
    await _story(a, (1, "awareness"), (2, "consideration"), (3, "purchase"))
    # b: awareness → churned
    await _story(b, (1, "awareness"), (5, "churned"))
    # c: consideration before the period, → purchase in it; then at risk after it
    await _story(c, (-10, "consideration"), (4, "purchase"), (100, "at risk"))
    # d: awareness, then consideration → (none) → consideration again
    await _story(d, (2, "awareness"), (3, "consideration"), (4, None), (6, "consideration"))
    start, end = T0, T0 + timedelta(hours=48)
    report = await journey.funnel(start=start, end=end)
    by_stage = {s["stage"]: s for s in report["stages"]}
    assert report["changes"] == 10
    assert [s["stage"] for s in report["stages"]] == list(journey.stages())
    # awareness: a, b, d entered; a and d then entered consideration: 2/3.
    assert by_stage["awareness"] | {} == {
        "stage": "awareness",
        "entered": 3,
        "left": 3,
        "next_stage": "consideration",
        "customers_entered": 3,
        "converted_to_next": 2,
        "conversion_to_next": 0.6667,
    }
    # consideration: entered by a, d, d (3 entries, 2 customers); left by a, c, d.
    # Then purchase: only a (c entered consideration before the period).
    assert (by_stage["consideration"]["entered"], by_stage["consideration"]["left"]) == (3, 3)
    assert by_stage["consideration"]["customers_entered"] == 2
    assert by_stage["consideration"]["converted_to_next"] == 1
    assert by_stage["consideration"]["conversion_to_next"] == 0.5
    assert (by_stage["purchase"]["entered"], by_stage["purchase"]["left"]) == (2, 0)
    assert by_stage["purchase"]["conversion_to_next"] == 0.0
    assert by_stage["churned"]["next_stage"] is None
    assert by_stage["churned"]["converted_to_next"] is None
    assert by_stage["at risk"]["entered"] == 0  # after the period
    transitions = {(t["from_stage"], t["to_stage"]): t["count"] for t in report["transitions"]}
    assert transitions == {
        (None, "awareness"): 3,
        ("awareness", "consideration"): 2,
        ("consideration", "purchase"): 2,
        ("awareness", "churned"): 1,
        ("consideration", None): 1,
        (None, "consideration"): 1,
    }
    over_api = await lead_client.get(
        "/api/reports/journey",
        params={"from": start.isoformat(), "to": end.isoformat()},
    )
    assert over_api.status_code == 200, over_api.text
    body = over_api.json()
    assert body["period_start"] == "2026-03-02T09:00:00Z"
    assert body["stages"][0] == by_stage["awareness"]


async def test_funnel_api_refuses_bad_periods(lead_client: Any) -> None:
    backwards = await lead_client.get(
        "/api/reports/journey",
        params={"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"},
    )
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["field"] == "to"
    no_zone = await lead_client.get(
        "/api/reports/journey", params={"from": "2026-03-01T00:00:00", "to": "2026-03-02T00:00:00Z"}
    )
    assert no_zone.status_code == 422
    assert no_zone.json()["errors"][0]["field"] == "from"


async def test_agents_do_not_see_the_funnel(agent_client: Any) -> None:
    refused = await agent_client.get(
        "/api/reports/journey",
        params={"from": "2026-03-01T00:00:00Z", "to": "2026-03-02T00:00:00Z"},
    )
    assert refused.status_code == 403


async def test_cli_prints_the_funnel() -> None:
    import json
    import os
    import subprocess
    import sys

    a = await new_customer("a")
    await _story(a, (1, "awareness"), (2, "consideration"))
    period = ["--from", "2026-03-02T00:00:00Z", "--to", "2026-03-03T00:00:00Z"]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "servicedesk.cli", "report", "journey", *period, *args],
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "100"},
        )

    printed = cli("--format", "json")
    assert printed.returncode == 0, printed.stderr
    stages = {s["stage"]: s for s in json.loads(printed.stdout)["stages"]}
    assert stages["awareness"]["conversion_to_next"] == 1.0
    csv_lines = cli("--format", "csv").stdout.splitlines()
    assert csv_lines[0].startswith("stage,entered,left,next_stage")
    assert csv_lines[1].startswith("awareness,1,1,consideration")
    table = cli("--format", "table").stdout
    assert "awareness" in table and "100%" in table


# ---------------------------------------------------------------- the timeline


async def test_timeline_merges_every_source_newest_first_and_pages_without_loss(
    agent_client: Any,
) -> None:
    from servicedesk.cx import survey_answers

    customer_id = await contact(agent_client, "hal@mail.example", name="Hal")
    await survey_answers.record_response(kind="nps", customer_id=customer_id, score=9, now=T0)
    # Three stage changes at the same moment as the survey answer: ties by kind and id.
    for stage in ("awareness", "consideration", "purchase"):
        await journey.set_stage(customer_id=customer_id, stage=stage, actor=SYSTEM, now=T0)
    whole = (await agent_client.get(f"/api/customers/{customer_id}/timeline")).json()
    assert whole["next"] is None
    kinds = [item["kind"] for item in whole["items"]]
    # The contact is now (after T0); then at T0: survey_answer > journey (kind order).
    assert kinds == ["message", "survey_answer", "journey", "journey", "journey"]
    assert [i["title"] for i in whole["items"][2:]] == [
        "Journey stage: consideration → purchase",
        "Journey stage: awareness → consideration",
        "Journey stage: (none) → awareness",
    ]
    seen: list[str] = []
    before = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if before:
            params["before"] = before
        page = await agent_client.get(f"/api/customers/{customer_id}/timeline", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= 2
        seen += [item["key"] for item in body["items"]]
        before = body["next"]
        if before is None:
            break
    assert seen == [item["key"] for item in whole["items"]]
    # A plain time: what happened before it.
    older = await agent_client.get(
        f"/api/customers/{customer_id}/timeline", params={"before": "2026-03-02T09:00:01Z"}
    )
    assert [i["kind"] for i in older.json()["items"]] == kinds[1:]


@pytest.mark.parametrize(
    "before", ["yesterday", "2026-03-02T09:00:00", "2026-03-02T09:00:00Z~x~99999999999"]
)
async def test_a_bad_timeline_cursor_is_a_422_naming_before(agent_client: Any, before: str) -> None:
    customer_id = await contact(agent_client, "ivy@mail.example")
    refused = await agent_client.get(
        f"/api/customers/{customer_id}/timeline", params={"before": before}
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "before"


async def test_the_timeline_shows_campaign_emails_and_survey_invitations(
    lead_client: Any,
) -> None:
    from servicedesk.cx.tables import Survey
    from servicedesk.marketing.tables import Campaign, CampaignRecipient, Segment

    customer_id = await contact(lead_client, "joe@mail.example")
    segment = await Segment.insert(Segment(name="All", created_at=T0, updated_at=T0))
    campaign = await Campaign.insert(
        Campaign(
            name="Spring", segment=segment[0]["id"], subject="Spring news", body="b", created_at=T0
        )
    )
    await CampaignRecipient.insert(
        CampaignRecipient(
            campaign=campaign[0]["id"], customer=customer_id, key="k1", status="sent", queued_at=T0
        )
    )
    await Survey.insert(
        Survey(kind="nps", customer=customer_id, nonce="n1", sent_at=T0 - timedelta(days=1))
    )
    items = (await lead_client.get(f"/api/customers/{customer_id}/timeline")).json()["items"]
    assert [(i["kind"], i["title"]) for i in items[1:]] == [
        ("campaign", "Campaign email: Spring"),
        ("survey", "NPS survey sent"),
    ]
    assert items[1]["text"] == "Spring news (sent)"


async def test_the_importer_sets_the_stage_with_source_import(tmp_path: Any) -> None:
    import json

    from servicedesk.imports.service import import_file

    path = tmp_path / "customers.jsonl"
    lines = [
        {
            "type": "customer",
            "external_id": "c-1",
            "email": "kim@mail.example",
            "journey_stage": "loyal",
        },
        {
            "type": "customer",
            "external_id": "c-2",
            "email": "lou@mail.example",
            "journey_stage": "gold",
        },
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = await import_file(path, skip_invalid=True)
    assert len(report.rejected) == 1 and "gold" in str(report.rejected[0])
    row = (
        await Customer.select(Customer.id, Customer.journey_stage)
        .where(Customer.external_id == "c-1")
        .first()
    )
    assert row["journey_stage"] == "loyal"
    history = await journey.history(customer_id=row["id"])
    assert [(h["to_stage"], h["source"], h["actor_label"]) for h in history] == [
        ("loyal", "import", "import")
    ]


async def test_the_data_export_includes_the_journey(admin_client: Any) -> None:
    customer_id = await contact(admin_client, "max@mail.example")
    await admin_client.put(f"/api/customers/{customer_id}/journey-stage", json={"stage": "loyal"})
    exported = (await admin_client.get(f"/api/customers/{customer_id}/export")).json()
    assert exported["journey"]["stage"] == "loyal"
    assert [
        (h["from_stage"], h["to_stage"], h["source"]) for h in exported["journey"]["history"]
    ] == [(None, "loyal", "agent")]
