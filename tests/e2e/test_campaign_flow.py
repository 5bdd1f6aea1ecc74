"""In a real browser: a lead builds a segment (live count), writes a campaign and sends it;
the customer opens the email at the real SMTP server and unsubscribes with one click on
the page its List-Unsubscribe link opens; the next campaign skips that customer. The
report shows the won value of the leads it brought in each currency."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from servicedesk.actors import Actor
from servicedesk.clock import utcnow
from servicedesk.outbox.tasks import deliver_due
from servicedesk.sales import service as sales
from tests.conftest import PASSWORD, make_agent
from tests.e2e.conftest import new_page, screenshot, serious_accessibility_violations, sign_in
from tests.servicedesk.marketing.conftest import address, import_customers
from tests.smtp import SmtpServer


async def build_segment(page: Page, base_url: str) -> None:
    await page.goto(f"{base_url}/marketing")
    await page.get_by_role("link", name="New segment").click()
    await page.get_by_role("textbox", name="Name").fill("Our mailing list")
    await page.get_by_role("button", name="Add condition").click()
    await page.get_by_role("combobox", name=re.compile("Operator of condition")).click()
    await page.get_by_role("option", name="contains", exact=True).click()
    await page.get_by_role("textbox", name=re.compile("Value of condition")).fill("@mail.example")
    await expect(page.get_by_test_id("segment-count")).to_have_text("2 customers match")
    violations = await serious_accessibility_violations(page)
    assert violations == [], "\n".join(violations)
    await page.get_by_role("button", name="Save segment").click()
    await page.wait_for_url(f"{base_url}/marketing")


async def send_campaign(page: Page, base_url: str, name: str) -> None:
    await page.goto(f"{base_url}/marketing/campaigns/new")
    await page.get_by_role("textbox", name="Name").fill(name)
    await page.get_by_role("combobox", name="Segment").click()
    await page.get_by_role("option", name="Our mailing list").click()
    await expect(page.get_by_test_id("preview-subject")).to_have_text("Hello Ada")
    await page.get_by_role("button", name="Save draft").click()
    await page.wait_for_url(re.compile(r"/marketing/campaigns/\d+$"))
    await page.get_by_role("button", name="Send now").click()
    await expect(page.get_by_text(re.compile(r"^Queued"))).to_be_visible()


async def test_segment_campaign_one_click_unsubscribe_and_the_next_campaign_skips(
    browser: Browser, live_server: str, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    lena = Actor.agent(await make_agent("lena@desk.example", "lead"), "lena", "lead")
    people = await import_customers(tmp_path, 2)
    page = await new_page(browser)
    await sign_in(page, live_server, "lena@desk.example", PASSWORD)

    await build_segment(page, live_server)
    await send_campaign(page, live_server, "Spring news")
    await expect(page.get_by_text("Queued 2;", exact=False)).to_be_visible()
    await deliver_due()
    await expect(page.get_by_test_id("figure-sent")).to_contain_text("2", timeout=20_000)
    # Both recipients become leads the campaign is credited with, won in two currencies:
    # the report (refreshed every 5 s) shows each currency's sum, never one total.
    for customer_id, value, currency in [(people[0], 1200, "EUR"), (people[1], 300, "USD")]:
        lead = await sales.create_lead(
            actor=lena, now=utcnow(), customer_id=customer_id, value=value, currency=currency
        )
        await sales.set_stage(lead_id=lead.lead_id, stage="won", actor=lena, now=utcnow())
    await expect(page.get_by_test_id("figure-leads")).to_contain_text("2", timeout=20_000)
    await expect(page.get_by_test_id("figure-won_value")).to_contain_text("€1,200.00 · $300.00")
    await screenshot(page, "campaign-report")

    [mail] = [m for m in smtp_server.messages if m["To"] == address(0)]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(mail["List-Unsubscribe"]).split(",")[0].strip(" <>")
    assert link.startswith(live_server) and link in mail.get_content()
    customer = await new_page(browser)
    await customer.goto(link)
    await customer.get_by_role("button", name="Unsubscribe").click()
    await expect(customer.get_by_role("heading", name="You are unsubscribed")).to_be_visible()

    await send_campaign(page, live_server, "Summer news")
    await expect(
        page.get_by_text(re.compile(r"Queued 1; skipped 0 without consent, 1 suppressed"))
    ).to_be_visible()
    await deliver_due()
    assert [m["To"] for m in smtp_server.messages].count(address(0)) == 1
    assert [m["To"] for m in smtp_server.messages].count(address(1)) == 2


async def test_a_triggered_campaign_is_written_in_the_editor_and_shows_the_rules_sending_it(
    browser: Browser, live_server: str
) -> None:
    from automation.rules import service as rules

    await make_agent("lena@desk.example", "lead")
    page = await new_page(browser)
    await sign_in(page, live_server, "lena@desk.example", PASSWORD)
    await page.goto(f"{live_server}/marketing/campaigns/new")
    await page.get_by_role("textbox", name="Name").fill("Review request")
    await page.get_by_text("Triggered by rules").click()
    await expect(page.get_by_role("combobox", name="Segment")).to_have_count(0)
    await page.get_by_role("button", name="Save triggered campaign").click()
    await page.wait_for_url(re.compile(r"/marketing/campaigns/\d+$"))
    campaign_id = int(page.url.rsplit("/", 1)[1])
    await expect(page.get_by_text("No rule sends it yet", exact=False)).to_be_visible()
    await expect(page.get_by_role("button", name="Send now")).to_have_count(0)
    await rules.create_rule(
        data={
            "name": "Promoters get a review request",
            "trigger": {"events": ["survey.answered"]},
            "conditions": {"all": [{"field": "survey.rating", "op": "gte", "value": 9}]},
            "actions": [{"type": "send_campaign", "campaign_id": campaign_id}],
        }
    )
    await page.reload()
    rule_link = page.get_by_role("link", name="Promoters get a review request")
    await expect(rule_link).to_be_visible()
    await expect(page.get_by_test_id("figure-recipients")).to_have_text(re.compile("0"))
    violations = await serious_accessibility_violations(page)
    assert violations == [], "\n".join(violations)
    await rule_link.click()
    await page.wait_for_url(re.compile(r"/rules/\d+$"))
