"""Campaigns: one-click unsubscribe (RFC 8058) and what it does to the next campaign, the
send-time checks, the frequency cap, templates in a sandbox, test sends, scheduling, the
CLI, consent history, and data requests that keep the report's totals."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from servicedesk.actors import SYSTEM
from servicedesk.clock import utcnow
from servicedesk.marketing import campaigns, responses
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.outbox.tasks import deliver_due
from servicedesk.settings import get_settings
from tests.conftest import app_client
from tests.smtp import SmtpServer

from .conftest import (
    address,
    create_campaign,
    create_segment,
    import_customers,
    report,
    send,
)


def unsubscribe_url(smtp_server: SmtpServer, to: str) -> str:
    [message] = [m for m in smtp_server.messages if m["To"] == to]
    return str(message["List-Unsubscribe"]).split(",")[0].strip(" <>")


async def test_one_click_unsubscribe_needs_no_login_and_the_next_campaign_skips_them(
    lead_client: httpx.AsyncClient, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    ids = await import_customers(tmp_path, 3)
    segment_id = await create_segment(lead_client)
    first = await create_campaign(lead_client, segment_id)
    await send(lead_client, first)
    await deliver_due()
    path = unsubscribe_url(smtp_server, address(1)).removeprefix(get_settings().base_url)

    async with app_client() as stranger:  # no session, no CSRF token: a mail client
        page = await stranger.get(path)
        assert page.status_code == 200 and '<form method="post"' in page.text
        done = await stranger.post(
            path,
            content="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert done.status_code == 200, done.text
        assert "You are unsubscribed" in (await stranger.get(path)).text
        assert (await stranger.post(path, content="List-Unsubscribe=One-Click")).status_code == 200
        forged = await stranger.post(path[:-3] + "abc", content="List-Unsubscribe=One-Click")
        assert forged.status_code == 422

    second = await create_campaign(lead_client, segment_id, name="Summer news")
    decided = await send(lead_client, second)
    assert decided["queued"] == 2 and decided["skipped_suppressed"] == 1
    await deliver_due()
    assert [m["To"] for m in smtp_server.messages].count(address(1)) == 1
    assert (await report(lead_client, first))["unsubscribed"] == 1
    consent = (await lead_client.get(f"/api/customers/{ids[1]}")).json()
    assert consent["marketing_consent"] is False and consent["consent_source"] == "unsubscribe"


async def test_a_survey_link_token_does_not_unsubscribe(
    lead_client: httpx.AsyncClient, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    from servicedesk.cx.surveys import link_token

    await import_customers(tmp_path, 1)
    campaign_id = await create_campaign(lead_client, await create_segment(lead_client))
    await send(lead_client, campaign_id)
    from servicedesk.marketing.tables import CampaignRecipient

    [recipient] = await CampaignRecipient.select(CampaignRecipient.id)
    async with app_client() as stranger:
        # A genuine survey token whose value is a recipient id is still not an unsubscribe one.
        refused = await stranger.post(f"/u/{link_token(str(recipient['id']))}")
        accepted = await stranger.post(f"/u/{responses.unsubscribe_token(recipient['id'])}")
    assert refused.status_code == 422 and accepted.status_code == 200
    assert (await report(lead_client, campaign_id))["unsubscribed"] == 1


async def test_an_unsubscribe_after_queueing_stops_the_email_at_send_time(
    lead_client: httpx.AsyncClient, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    ids = await import_customers(tmp_path, 2)
    campaign_id = await create_campaign(lead_client, await create_segment(lead_client))
    await send(lead_client, campaign_id)  # queued, not delivered yet
    withdrawn = await lead_client.patch(
        f"/api/customers/{ids[0]}", json={"marketing_consent": False}
    )
    assert withdrawn.status_code == 200
    await deliver_due()

    assert [m["To"] for m in smtp_server.messages] == [address(1)]
    figures = await report(lead_client, campaign_id)
    assert figures["recipients"] == 1 and figures["sent"] == 1
    assert figures["skipped_no_consent"] == 1


async def test_service_mail_reaches_customers_without_consent_or_unsubscribed(
    lead_client: httpx.AsyncClient, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    from servicedesk.marketing import service as marketing

    ids = await import_customers(tmp_path, 1, consent=lambda _: False)
    await marketing.suppress(customer_ids=[ids[0]], reason="unsubscribed", now=utcnow())
    opened = await lead_client.post(
        "/api/contacts",
        json={
            "channel": "email",
            "customer": {"email": address(0)},
            "subject": "Help",
            "body": "?",
        },
    )
    ticket_id = opened.json()["ticket"]["id"]
    replied = await lead_client.post(
        f"/api/tickets/{ticket_id}/messages", json={"body": "Here you go", "public": True}
    )
    assert replied.status_code == 201
    await deliver_due()
    assert [m["To"] for m in smtp_server.messages] == [address(0)]


@pytest.mark.parametrize(("cap", "second_queued"), [(1, 0), (2, 3)])
async def test_frequency_cap_skips_customers_who_had_enough_marketing_mail(
    lead_client: httpx.AsyncClient,
    smtp_server: SmtpServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cap: int,
    second_queued: int,
) -> None:
    monkeypatch.setenv("MARKETING_CAP_EMAILS", str(cap))
    monkeypatch.setenv("MARKETING_CAP_DAYS", "7")
    get_settings.cache_clear()
    await import_customers(tmp_path, 3)
    segment_id = await create_segment(lead_client)
    await send(lead_client, await create_campaign(lead_client, segment_id))
    second = await create_campaign(lead_client, segment_id, name="Second")
    decided = await send(lead_client, second)
    assert decided["queued"] == second_queued
    assert decided["skipped_frequency_cap"] == 3 - second_queued
    assert (await report(lead_client, second))["skipped_frequency_cap"] == 3 - second_queued
    # Past the window, the cap lets them through again.
    third = await create_campaign(lead_client, segment_id, name="Third")
    later = await campaigns.send_campaign(
        campaign_id=third, actor=SYSTEM, now=utcnow() + timedelta(days=8)
    )
    assert later["queued"] == 3


@pytest.mark.parametrize(
    ("subject", "body", "field"),
    [
        ("Hi {{ customer.shoe_size }}", "x", "subject"),
        ("Hi", "{{ customer.__class__.__mro__ }}", "body"),
        ("Hi", "{% for %}", "body"),
        ("Hi", "{{ customer.tags.append('x') }}", "body"),
    ],
)
async def test_templates_that_cannot_render_safely_are_refused(
    lead_client: httpx.AsyncClient, subject: str, body: str, field: str
) -> None:
    segment_id = await create_segment(lead_client)
    refused = await lead_client.post(
        "/api/campaigns",
        json={"name": "Bad", "segment_id": segment_id, "subject": subject, "body": body},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == field


async def test_preview_and_test_send_to_myself(
    lead_client: httpx.AsyncClient, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    ids = await import_customers(tmp_path, 1)
    shown = await lead_client.post(
        "/api/campaigns/preview",
        json={
            "subject": "Hi {{ customer.first_name }}",
            "body": "{{ customer.email }}",
            "customer_id": ids[0],
        },
    )
    assert shown.json() == {"subject": "Hi Customer", "body": address(0)}
    campaign_id = await create_campaign(lead_client, await create_segment(lead_client))
    tested = await lead_client.post(f"/api/campaigns/{campaign_id}/test")
    assert tested.status_code == 202 and tested.json()["to"] == "lena@desk.example"
    await deliver_due()
    [mail] = smtp_server.messages
    assert mail["To"] == "lena@desk.example" and mail["Subject"] == "[Test] Hello Customer"
    assert (await report(lead_client, campaign_id))["recipients"] == 0


async def test_a_subject_that_renders_past_400_characters_is_cut_to_fit(
    lead_client: httpx.AsyncClient, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """The longest subject a campaign takes, rendered longer (and "[Test] " in front):
    the email still goes, its subject cut to what the outbox keeps, on both engines."""
    await import_customers(tmp_path, 1)
    subject = "x" * 370 + "{{ customer.name * 4 }}"  # 393 characters, 410 rendered
    campaign_id = await create_campaign(
        lead_client, await create_segment(lead_client), subject=subject
    )
    tested = await lead_client.post(f"/api/campaigns/{campaign_id}/test")
    assert tested.status_code == 202, tested.text
    assert (await send(lead_client, campaign_id))["queued"] == 1
    await deliver_due()
    subjects = sorted(str(m["Subject"]) for m in smtp_server.messages)
    assert [len(s) for s in subjects] == [400, 400]
    assert subjects[0].startswith("[Test] xxx")
    assert subjects[1] == "x" * 370 + ("Customer 0" * 4)[:30]


async def test_a_scheduled_campaign_is_queued_by_the_minute_task_once_due(
    lead_client: httpx.AsyncClient, tmp_path: Path
) -> None:
    await import_customers(tmp_path, 2)
    segment_id = await create_segment(lead_client)
    at = utcnow() + timedelta(hours=1)
    created = await lead_client.post(
        "/api/campaigns",
        json={
            "name": "Later",
            "segment_id": segment_id,
            "subject": "s",
            "body": "b",
            "send_at": at.isoformat(),
        },
    )
    assert created.json()["status"] == "scheduled"
    assert await campaigns.send_due_campaigns(now=utcnow(), actor=SYSTEM) == []
    due = await campaigns.send_due_campaigns(now=at + timedelta(seconds=1), actor=SYSTEM)
    assert due == [created.json()["id"]]
    assert (await report(lead_client, due[0]))["recipients"] == 2
    edit = await lead_client.patch(f"/api/campaigns/{due[0]}", json={"subject": "late"})
    assert edit.status_code == 409


async def test_cli_sends_a_campaign_once(lead_client: httpx.AsyncClient, tmp_path: Path) -> None:
    await import_customers(tmp_path, 2)
    campaign_id = await create_campaign(lead_client, await create_segment(lead_client))
    command = [sys.executable, "-m", "servicedesk.cli", "campaign", "send", str(campaign_id)]
    first = subprocess.run(command, capture_output=True, text=True, check=True)
    assert json.loads(first.stdout)["queued"] == 2
    second = subprocess.run(command, capture_output=True, text=True, check=True)
    assert json.loads(second.stdout)["already_decided"] == 2
    assert await OutboxMessage.count().where(OutboxMessage.topic == "campaign") == 2
    missing = subprocess.run([*command[:-1], "999"], capture_output=True, text=True, check=False)
    assert missing.returncode == 1 and "does not exist" in missing.stderr


async def test_consent_changes_keep_their_source_and_history(
    lead_client: httpx.AsyncClient, tmp_path: Path
) -> None:
    ids = await import_customers(tmp_path, 1, consent=lambda _: False)
    given = await lead_client.patch(
        f"/api/customers/{ids[0]}", json={"marketing_consent": True, "consent_source": "form"}
    )
    assert given.json()["consent_source"] == "form" and given.json()["marketing_consent"]
    await lead_client.patch(f"/api/customers/{ids[0]}", json={"marketing_consent": False})
    bad = await lead_client.patch(
        f"/api/customers/{ids[0]}", json={"marketing_consent": True, "consent_source": "psychic"}
    )
    assert bad.status_code == 400
    from servicedesk.marketing import service as marketing

    history = (await marketing.consent_of(customer_id=ids[0]))["history"]
    # Imported without consent is the default: no change, so no history row for it.
    assert [(h["consent"], h["source"]) for h in history] == [(True, "form"), (False, "agent")]
    assert history[0]["actor_label"] == "lena@desk.example"


async def test_erasing_a_recipient_keeps_the_campaign_report_and_exports_first(
    client: httpx.AsyncClient, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    from tests.conftest import signed_in

    admin = await signed_in(client, "adam@desk.example", "admin")
    ids = await import_customers(tmp_path, 4)
    await admin.post(
        "/api/contacts",
        json={
            "channel": "email",
            "customer": {"email": address(2)},
            "subject": "My order",
            "body": "I live at 1 Secret Lane",
        },
    )
    campaign_id = await create_campaign(admin, await create_segment(admin))
    await send(admin, campaign_id)
    await deliver_due()
    before = await report(admin, campaign_id)

    exported = await admin.get(f"/api/customers/{ids[2]}/export")
    assert exported.status_code == 200
    data = exported.json()
    assert [(i["kind"], i["value"]) for i in data["identities"]] == [("email", address(2))]
    assert data["tickets"][0]["messages"][0]["body_text"] == "I live at 1 Secret Lane"
    assert data["campaign_emails"][0]["delivery"] == "sent"

    erased = await admin.post(f"/api/customers/{ids[2]}/erase")
    assert erased.status_code == 200 and erased.json()["name"] == f"Erased customer {ids[2]}"
    assert erased.json()["identities"] == []
    after = (await admin.get(f"/api/customers/{ids[2]}/export")).json()
    assert "Secret Lane" not in json.dumps(after) and address(2) not in json.dumps(after)
    assert await OutboxMessage.count().where(OutboxMessage.to_address == address(2)) == 0
    assert await report(admin, campaign_id) == before
    assert before["recipients"] == 4 and before["sent"] == 4


async def test_data_requests_are_for_admins(lead_client: httpx.AsyncClient, tmp_path: Path) -> None:
    ids = await import_customers(tmp_path, 1)
    assert (await lead_client.get(f"/api/customers/{ids[0]}/export")).status_code == 403
    assert (await lead_client.post(f"/api/customers/{ids[0]}/erase")).status_code == 403
