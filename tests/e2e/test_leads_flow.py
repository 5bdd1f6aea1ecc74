"""In a real browser: an agent creates a lead from a ticket page, drags its card to
"Qualified" on the leads board, and sees the stage change in the lead's history; a lead
reads the board's column totals and the lead report of leads in two currencies, each
summed in its own, and the report's CSV."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, expect

from servicedesk.actors import Actor
from servicedesk.sales import reads
from servicedesk.sales import service as sales
from tests.conftest import PASSWORD, make_agent
from tests.e2e.conftest import new_page, screenshot, serious_accessibility_violations, sign_in
from tests.servicedesk.sales.helpers import contact, lead_for


async def test_create_a_lead_from_a_ticket_drag_it_to_qualified_and_see_the_history(
    browser: Browser, live_server: str
) -> None:
    from servicedesk.clock import utcnow

    await make_agent("alice@desk.example", "agent")
    ticket_id = await contact("ann@mail.example", subject="Demo for 30 seats?", now=utcnow())
    page = await new_page(browser)
    await sign_in(page, live_server, "alice@desk.example", PASSWORD)

    await page.goto(f"{live_server}/tickets/{ticket_id}")
    await page.get_by_role("button", name="Create lead").click()
    await expect(page.get_by_test_id("open-lead")).to_contain_text("New")
    [lead] = await reads.list_leads()
    assert (lead["source_ticket_id"], lead["stage"]) == (ticket_id, "new")

    await page.get_by_role("link", name="Leads", exact=True).click()
    await page.wait_for_url(f"{live_server}/leads")
    card = page.get_by_test_id("column-new").get_by_test_id("lead-card")
    await expect(card).to_have_count(1)
    violations = await serious_accessibility_violations(page)
    assert violations == [], "\n".join(violations)
    await card.drag_to(page.get_by_test_id("column-qualified"))
    qualified = page.get_by_test_id("column-qualified").get_by_test_id("lead-card")
    await expect(qualified).to_have_count(1)
    await expect(page.get_by_test_id("column-new").get_by_test_id("lead-card")).to_have_count(0)
    await screenshot(page, "leads-board")
    assert (await reads.get_lead(lead_id=lead["id"]))["stage"] == "qualified"

    await qualified.get_by_role("link").click()
    await page.wait_for_url(re.compile(rf"/leads/{lead['id']}$"))
    rows = page.get_by_test_id("history-row")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(1)).to_contain_text("Moved from New to Qualified")
    await expect(rows.nth(1)).to_contain_text("alice@desk.example")


async def test_the_lead_report_sums_each_currency_apart_on_the_page_and_in_the_csv(
    browser: Browser, live_server: str
) -> None:
    from servicedesk.clock import utcnow

    lou_id = await make_agent("lou@desk.example", "lead")
    lou = Actor.agent(lou_id, "lou@desk.example", "lead")
    for n, (value, currency, stage) in enumerate(
        [(1200, "EUR", "won"), (300, "USD", "won"), (80.5, "USD", "new")]
    ):
        ticket_id = await contact(f"c{n}@mail.example", now=utcnow())
        lead_id = await lead_for(ticket_id, lou, now=utcnow(), value=value, currency=currency)
        if stage != "new":
            await sales.set_stage(lead_id=lead_id, stage=stage, actor=lou, now=utcnow())
    page = await new_page(browser)
    await sign_in(page, live_server, "lou@desk.example", PASSWORD)

    await page.goto(f"{live_server}/leads")
    # The board's column totals too: each currency's sum, never one figure across them.
    await expect(page.get_by_test_id("total-won")).to_have_text("€1,200.00 · $300.00")
    await expect(page.get_by_test_id("total-new")).to_have_text("$80.50")
    await expect(page.get_by_test_id("total-lost")).to_have_text("—")
    await page.get_by_role("link", name="Lead report").click()
    await page.wait_for_url(f"{live_server}/leads/report")
    await expect(page.get_by_test_id("lead-totals")).to_have_text(
        "3 leads — open pipeline $80.50 — won €1,200.00 · $300.00"
    )
    pipeline = page.get_by_role("table", name="Pipeline by stage")
    await expect(pipeline.get_by_role("row", name=re.compile("^Won"))).to_contain_text(
        "€1,200.00 · $300.00"
    )
    owners = page.get_by_role("table", name="Win rate per owner")
    await expect(owners.get_by_role("row", name=re.compile("^Lou"))).to_contain_text(
        "€1,200.00 · $300.00"
    )
    await screenshot(page, "lead-report")
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download as CSV").click()
    lines = Path(await (await download_info.value).path()).read_text().splitlines()
    assert lines[0] == "section,name,currency,leads,value,won,lost,rate,median_days"
    assert "pipeline,won,EUR,2,1200.0,,,," in lines and "pipeline,won,USD,,300.0,,,," in lines
