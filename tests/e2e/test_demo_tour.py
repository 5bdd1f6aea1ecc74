"""A newcomer's tour of the demo (what `make demo` loads, smaller): each page a user opens
first shows the demo's data, with no serious accessibility finding. The README's
screenshots are this tour's (UPDATE_SCREENSHOTS=1 writes them to docs/screenshots)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from automation.rules.cli import builtin_templates
from automation.rules.service import import_rules
from servicedesk.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from servicedesk.marketing.tables import Campaign
from servicedesk.tickets.tables import Ticket
from tests.e2e.conftest import new_page, screenshot, serious_accessibility_violations, sign_in


async def load_the_demo(tmp_path: Path) -> None:
    await load_demo(customers=120, tickets=400, seed=7, path=tmp_path / "demo.jsonl")
    await import_rules(rules=builtin_templates(), skip_existing=True)


async def look(page: Page, name: str, findings: dict[str, list[str]]) -> None:
    """The README's shot of the page, and axe's serious findings on it."""
    await screenshot(page, name, readme=True)
    findings[name] = await serious_accessibility_violations(page)


async def busiest_customer() -> int:
    rows = await Ticket.raw(
        "SELECT customer FROM ticket GROUP BY customer ORDER BY count(*) DESC, customer LIMIT 1"
    )
    return int(rows[0]["customer"])


async def test_the_demo_pages_show_the_demo_data(
    browser: Browser, live_server: str, tmp_path: Path
) -> None:
    await load_the_demo(tmp_path)
    lead = next(email for email, _, role, _ in DEMO_USERS if role == "lead")
    page = await new_page(browser)
    await sign_in(page, live_server, lead, DEMO_PASSWORD)
    findings: dict[str, list[str]] = {}

    await page.goto(f"{live_server}/inbox")
    await page.get_by_role("button", name=re.compile(r"^All open \d+ tickets")).click()
    rows = page.get_by_test_id("ticket-row")
    await expect(rows.nth(9)).to_be_visible()
    await look(page, "inbox", findings)

    subject = (await rows.first.inner_text()).split("\n")[0]
    await rows.first.click()
    await page.wait_for_url(re.compile(r"/tickets/\d+$"))
    await expect(page.get_by_test_id("timeline-entry").first).to_be_visible()
    assert subject.strip()
    await look(page, "ticket", findings)

    await page.goto(f"{live_server}/customers/{await busiest_customer()}")
    await expect(page.get_by_test_id("customer-timeline-entry").nth(1)).to_be_visible()
    await look(page, "customer", findings)

    await page.goto(f"{live_server}/dashboard")
    await expect(page.get_by_role("link", name=re.compile(r"^CSAT: \d"))).to_be_visible()
    await expect(
        page.get_by_role("link", name=re.compile(r"^Volume \(solved\): [1-9]"))
    ).to_be_visible()
    await look(page, "dashboard", findings)

    await page.goto(f"{live_server}/rules")
    for rule in builtin_templates():
        await expect(page.get_by_role("link", name=rule["name"], exact=True)).to_be_visible()
    await page.get_by_role("link", name=builtin_templates()[0]["name"], exact=True).click()
    await page.wait_for_url(re.compile(r"/rules/\d+$"))
    await expect(page.get_by_role("textbox", name=re.compile("^JSON"))).to_have_value(
        re.compile(re.escape(builtin_templates()[0]["name"]))
    )
    # The shot shows the dry run over the demo's last 30 days (tickets are solved daily).
    await page.get_by_role("button", name="Preview last 30 days").click()
    await expect(page.get_by_test_id("dry-run-summary")).to_contain_text(
        re.compile(r"Would have fired [1-9]")
    )
    await expect(page.get_by_test_id("dry-run-row").first).to_be_visible()
    await look(page, "rules", findings)

    [campaign] = await Campaign.select(Campaign.id, Campaign.name).where(Campaign.kind == "segment")
    await page.goto(f"{live_server}/marketing/campaigns/{campaign['id']}")
    await expect(page.get_by_role("heading", name=campaign["name"])).to_be_visible()
    await expect(page.get_by_test_id("figure-recipients")).to_contain_text(re.compile(r"[1-9]"))
    await look(page, "campaign-report", findings)

    await page.goto(f"{live_server}/leads")
    for stage in ("new", "won"):
        await expect(page.get_by_test_id(f"total-{stage}")).to_contain_text(re.compile(r"[1-9]"))
    await expect(page.get_by_test_id("lead-card").nth(9)).to_be_visible()
    await look(page, "leads", findings)

    await page.goto(f"{live_server}/reports/journey")
    await expect(page.get_by_test_id("funnel-stage").nth(3)).to_be_visible()
    await look(page, "journey", findings)

    await page.context.clear_cookies()  # the contact page is public
    await page.goto(f"{live_server}/contact")
    await expect(page.get_by_role("button", name=re.compile("^Send"))).to_be_visible()
    await look(page, "contact", findings)

    problems = [f"{name}: {found}" for name, founds in findings.items() for found in founds]
    assert problems == [], "\n".join(problems)
