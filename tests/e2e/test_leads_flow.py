"""In a real browser: an agent creates a lead from a ticket page, drags its card to
"Qualified" on the leads board, and sees the stage change in the lead's history."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from servicedesk.sales import reads
from tests.conftest import PASSWORD, make_agent
from tests.e2e.conftest import new_page, screenshot, serious_accessibility_violations, sign_in
from tests.servicedesk.sales.helpers import contact


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
