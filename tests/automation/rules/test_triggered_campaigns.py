"""Triggered campaigns: a rule's `send_campaign` sends a campaign's email to the event's
customer through marketing (consent, suppression, frequency cap; once per campaign and
customer; counted in the report), received by a real SMTP server; the built-in templates
(promoter, detractor, purchase question); a real worker process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from automation.rules import service as rules
from automation.rules.cli import builtin_templates
from servicedesk.actors import SYSTEM, Actor
from servicedesk.clock import utcnow
from servicedesk.customers.service import ContactIdentity, find_or_create_customer
from servicedesk.cx import survey_answers, surveys
from servicedesk.cx.tables import Survey
from servicedesk.marketing import campaigns
from servicedesk.marketing import service as marketing
from servicedesk.marketing.tables import Campaign, CampaignRecipient
from servicedesk.settings import get_settings
from servicedesk.tickets import service as tickets
from tests.processes import stop_process
from tests.servicedesk.marketing.test_worker_killed import settled
from tests.servicedesk.outbox.test_mail import start_worker, wait_for
from tests.smtp import SmtpServer

from .helpers import automation_cli, contact, desk_team, rule, run_log, work, worked_ticket

SUBJECT = "Would you review us, {{ customer.first_name }}?"


async def customer(email: str, *, consent: bool = True) -> int:
    customer_id = await find_or_create_customer(identity=ContactIdentity(email=email))
    if consent:
        await marketing.set_consent(
            customer_ids=[customer_id], consent=True, source="form", actor=SYSTEM, now=utcnow()
        )
    return customer_id


async def answer_nps(customer_id: int, rating: int) -> None:
    """An NPS survey sent to the customer and answered from its link."""
    await surveys.send_nps(customer_ids=[customer_id])
    survey = (
        await Survey.select(Survey.nonce)
        .where(Survey.customer == customer_id, Survey.link_used_at.is_null())
        .order_by(Survey.id, ascending=False)
        .first()
    )
    assert survey is not None
    await survey_answers.answer_survey(
        token=surveys.link_token(survey["nonce"]), rating=rating, comment=None, ces_score=None
    )


async def triggered(name: str = "Review request", subject: str = SUBJECT) -> int:
    return await campaigns.create_campaign(
        name=name,
        kind="triggered",
        subject=subject,
        body="Hello {{ customer.name }}, thank you!",
        actor=SYSTEM,
        now=utcnow(),
    )


async def promoter_rule(campaign_id: int, name: str = "Promoters get a review request") -> int:
    created = await rule(
        name=name,
        trigger={"events": ["survey.answered"]},
        conditions={
            "all": [
                {"field": "survey.kind", "op": "is", "value": "nps"},
                {"field": "survey.rating", "op": "gte", "value": 9},
            ]
        },
        actions=[{"type": "send_campaign", "campaign_id": campaign_id}],
    )
    return int(created["id"])


async def causes(campaign_id: int) -> list[tuple[int, str, str]]:
    rows = (
        await CampaignRecipient.select(
            CampaignRecipient.customer, CampaignRecipient.status, CampaignRecipient.cause
        )
        .where(CampaignRecipient.campaign == campaign_id)
        .order_by(CampaignRecipient.customer)
    )
    return [(r["customer"], r["status"], r["cause"]) for r in rows]


async def test_a_promoter_gets_the_campaign_email_once_with_the_rule_as_cause(
    smtp_server: SmtpServer, lead_client: httpx.AsyncClient
) -> None:
    campaign_id = await triggered()
    rule_id = await promoter_rule(campaign_id)
    ann = await customer("ann@mail.example")
    await answer_nps(ann, 10)
    await work()
    [email] = smtp_server.about("Would you review us")
    assert email["To"] == "ann@mail.example"
    assert str(email["Subject"]) == "Would you review us, ann?"
    assert str(email["List-Unsubscribe"]).strip().startswith(f"<{get_settings().base_url}/u/")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert await causes(campaign_id) == [(ann, "queued", "rule: Promoters get a review request")]
    assert [(r["event"], r["actions"], r["error"]) for r in await run_log(rule_id)] == [
        ("survey.answered", [f"send campaign {campaign_id}"], None)
    ]
    # A second answer of 10 fires the rule again: the campaign is not sent twice.
    await answer_nps(ann, 10)
    await work()
    assert len(smtp_server.about("Would you review us")) == 1
    assert len(await run_log(rule_id)) == 2
    found = await lead_client.get(f"/api/campaigns/{campaign_id}/report")
    assert found.status_code == 200, found.text
    figures = found.json()
    assert (figures["recipients"], figures["sent"], figures["skipped_no_consent"]) == (1, 1, 0)
    # A passive (8) gets nothing.
    carl = await customer("carl@mail.example")
    await answer_nps(carl, 8)
    await work()
    assert len(smtp_server.about("Would you review us")) == 1


@pytest.mark.parametrize("cap", [0, 1])
async def test_no_consent_suppressed_and_capped_promoters_are_skipped_and_counted(
    smtp_server: SmtpServer,
    lead_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    cap: int,
) -> None:
    monkeypatch.setenv("MARKETING_CAP_EMAILS", str(cap))
    monkeypatch.setenv("MARKETING_CAP_DAYS", "7")
    get_settings.cache_clear()
    campaign_id = await triggered()
    await promoter_rule(campaign_id)
    ann = await customer("ann@mail.example")
    silent = await customer("silent@mail.example", consent=False)
    gone = await customer("gone@mail.example")
    await marketing.suppress(customer_ids=[gone], reason="unsubscribed", now=utcnow())
    busy = await customer("busy@mail.example")
    earlier = await triggered(name="Earlier news", subject="Earlier news")
    assert await campaigns.send_triggered(
        campaign_id=earlier, customer_id=busy, actor=SYSTEM, now=utcnow()
    ) == ("queued")
    for someone in (ann, silent, gone, busy):
        await answer_nps(someone, 10)
    await work()
    reached = sorted(m["To"] for m in smtp_server.about("Would you review us"))
    expected = ["ann@mail.example"] if cap else ["ann@mail.example", "busy@mail.example"]
    assert reached == expected
    figures = (await lead_client.get(f"/api/campaigns/{campaign_id}/report")).json()
    assert (
        figures["recipients"],
        figures["sent"],
        figures["skipped_no_consent"],
        figures["skipped_suppressed"],
        figures["skipped_frequency_cap"],
    ) == (len(expected), len(expected), 1, 1, 1 if cap else 0)
    # Skipped ones stay decided: consent given later does not send it on the next 10.
    await marketing.set_consent(
        customer_ids=[silent], consent=True, source="form", actor=SYSTEM, now=utcnow()
    )
    await answer_nps(silent, 10)
    await work()
    assert sorted(m["To"] for m in smtp_server.about("Would you review us")) == expected


async def test_an_unsubscribe_before_delivery_stops_the_triggered_email(
    smtp_server: SmtpServer,
) -> None:
    campaign_id = await triggered()
    ann = await customer("ann@mail.example")
    assert (
        await campaigns.send_triggered(
            campaign_id=campaign_id, customer_id=ann, actor=SYSTEM, now=utcnow()
        )
        == "queued"
    )
    await marketing.suppress(customer_ids=[ann], reason="unsubscribed", now=utcnow())
    await work()
    assert smtp_server.about("Would you review us") == []
    figures = await campaigns.report(campaign_id=campaign_id)
    assert (figures["recipients"], figures["skipped_suppressed"]) == (0, 1)


async def test_rules_name_only_existing_triggered_campaigns(
    lead_client: httpx.AsyncClient,
) -> None:
    segment = await lead_client.post(
        "/api/segments",
        json={"name": "All", "conditions": {"all": [], "any": []}},
    )
    news = await lead_client.post(
        "/api/campaigns",
        json={
            "name": "News",
            "segment_id": segment.json()["id"],
            "subject": "News",
            "body": "News",
        },
    )
    assert news.status_code == 201, news.text
    for campaign_id in (news.json()["id"], 999_999):
        saved = await lead_client.post(
            "/api/automation/rules",
            json={
                "name": "send",
                "trigger": {"events": ["survey.answered"]},
                "conditions": {"all": [], "any": []},
                "actions": [
                    {"type": "add_tags", "value": ["x"]},
                    {"type": "send_campaign", "campaign_id": campaign_id},
                ],
            },
        )
        assert saved.status_code == 422, saved.text
        assert saved.json()["errors"][0]["field"] == "actions[1].campaign_id"
    catalog = (await lead_client.get("/api/automation/catalog")).json()
    [action] = [a for a in catalog["actions"] if a["type"] == "send_campaign"]
    assert action["params"] == [{"name": "campaign_id", "type": "choice", "choices": []}]


async def test_triggered_campaigns_over_the_api(
    lead_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    body = {"name": "Tips", "kind": "triggered", "subject": "Tips", "body": "Hi"}
    created = await lead_client.post("/api/campaigns", json=body)
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert (campaign["kind"], campaign["segment_id"], campaign["status"]) == (
        "triggered",
        None,
        "active",
    )
    for extra, field in (({"segment_id": 1}, "segment_id"), ({"send_at": None}, None)):
        answer = await lead_client.post("/api/campaigns", json={**body, **extra})
        if field:
            assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field
        else:
            assert answer.status_code == 201, answer.text
    no_segment = await lead_client.post(
        "/api/campaigns", json={"name": "N", "subject": "S", "body": "B"}
    )
    assert no_segment.status_code == 422
    assert no_segment.json()["errors"][0]["field"] == "segment_id"
    url = f"/api/campaigns/{campaign['id']}"
    assert (await lead_client.post(f"{url}/send")).status_code == 409
    edited = await lead_client.patch(url, json={"subject": "Better tips"})
    assert edited.status_code == 200 and edited.json()["subject"] == "Better tips"
    assert (await lead_client.patch(url, json={"segment_id": 1})).status_code == 422
    assert (await lead_client.post(f"{url}/test")).status_code == 202
    await work()
    [test] = smtp_server.about("[Test] Better tips")
    assert "Ada" not in str(test["Subject"])
    report = await lead_client.get(f"{url}/report")
    assert report.status_code == 200 and report.json()["recipients"] == 0


async def test_a_campaign_id_picked_as_text_is_saved_as_its_number(
    lead_client: httpx.AsyncClient,
) -> None:
    """The rule editor's pickers send the campaign id as text; the rule keeps the number
    (the campaign page lists the rules whose action has its id), and an action's left-out
    parameters stay out."""
    campaign_id = await triggered()
    other = await triggered(name="Second")
    body = {
        "name": "send it",
        "trigger": {"events": ["survey.answered"]},
        "conditions": {"all": [], "any": []},
        "actions": [{"type": "send_campaign", "campaign_id": str(campaign_id)}],
    }
    saved = await lead_client.post("/api/automation/rules", json=body)
    assert saved.status_code == 201, saved.text
    assert saved.json()["actions"] == [{"type": "send_campaign", "campaign_id": campaign_id}]
    url = f"/api/automation/rules/{saved.json()['id']}"
    changed = await lead_client.patch(
        url,
        json={
            "actions": [
                {"type": "send_campaign", "campaign_id": str(other)},
                {"type": "email_customer", "subject": "Hi", "body": "Hello"},
            ]
        },
    )
    assert changed.status_code == 200, changed.text
    stored = (await lead_client.get(url)).json()["actions"]
    assert stored == [
        {"type": "send_campaign", "campaign_id": other},
        {"type": "email_customer", "subject": "Hi", "body": "Hello"},
    ]


async def test_the_builtin_templates_bring_their_campaigns_and_send_them(
    smtp_server: SmtpServer,
) -> None:
    people = await desk_team()
    # As `make demo` does, twice: the campaigns are found by name the second time.
    for _ in range(2):
        automation_cli("import", "--builtin", "--skip-existing")
    triggered_campaigns = await Campaign.select(Campaign.name, Campaign.kind).order_by(Campaign.id)
    assert [(c["name"], c["kind"]) for c in triggered_campaigns] == [
        ("Review request (promoters)", "triggered"),
        ("Win-back offer (detractors)", "triggered"),
        ("Product tips (after a purchase question)", "triggered"),
    ]
    # Importing the files through the service again (upsert) does not add copies either.
    await rules.import_rules(rules=builtin_templates())
    assert await Campaign.count() == 3
    promoter = await customer("ann@mail.example")
    detractor = await customer("carl@mail.example")
    await answer_nps(promoter, 9)
    await answer_nps(detractor, 3)
    buyer = await customer("dora@mail.example")
    assert buyer
    alice = Actor.agent(people["alice"], "alice@desk.example")
    purchase = await worked_ticket(people, email="dora@mail.example")
    await tickets.update_ticket(ticket_id=purchase, changes={"add_tags": ["purchase"]}, actor=alice)
    other = await worked_ticket(people, email="ann@mail.example")
    for ticket_id in (purchase, other):
        await tickets.update_ticket(ticket_id=ticket_id, changes={"status": "solved"}, actor=alice)
    await work()
    sent: dict[str, Any] = {
        "review": [m["To"] for m in smtp_server.about("Would you tell others about us")],
        "win-back": [m["To"] for m in smtp_server.about("earn back your trust")],
        "tips": [m["To"] for m in smtp_server.about("get the most out of your purchase")],
    }
    assert sent == {
        "review": ["ann@mail.example"],
        "win-back": ["carl@mail.example"],
        "tips": ["dora@mail.example"],
    }


async def test_a_bad_campaign_reference_in_a_rules_file_names_the_field() -> None:
    [template] = [t for t in builtin_templates() if t["name"].startswith("Promoters")]
    template["actions"][0]["campaign"]["subject"] = "{{ customer.shoe_size }}"
    with pytest.raises(Exception) as refused:
        await rules.import_rules(rules=[template])
    assert getattr(refused.value, "field", None) == "[0].actions[0].campaign.subject"
    assert await Campaign.count() == 0


async def test_the_worker_sends_a_promoter_the_campaign_once(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    from servicedesk.queue import huey

    huey.flush()
    campaign_id = await triggered()
    await promoter_rule(campaign_id)
    ann = await customer("ann@mail.example")
    await contact(email="bob@mail.example")  # other work in the queue
    log_path = tmp_path / "worker.log"
    worker = start_worker(log_path)
    try:
        await answer_nps(ann, 10)

        async def reviewed() -> bool:
            return len(smtp_server.about("Would you review us")) >= 1

        assert await wait_for(reviewed, seconds=90), log_path.read_text()
        await answer_nps(ann, 10)

        async def second_run() -> bool:
            return await CampaignRecipient.count() == 1 and len(await _runs()) == 2

        assert await wait_for(second_run, seconds=90), log_path.read_text()
        await settled(lambda: len(smtp_server.received), seconds=1.5, timeout=30)
    finally:
        stop_process(worker)
    assert [m["To"] for m in smtp_server.about("Would you review us")] == ["ann@mail.example"]
    figures = await campaigns.report(campaign_id=campaign_id)
    assert (figures["recipients"], figures["sent"]) == (1, 1)


async def _runs() -> list[dict[str, Any]]:
    [found] = await rules.list_rules()
    return await run_log(found["id"])
