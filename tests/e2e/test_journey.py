"""In a real browser: an agent sets a customer's journey stage on the profile and sees the
change on the customer's timeline; a lead sees it counted in the journey funnel."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from servicedesk.customers.service import ContactIdentity
from servicedesk.tickets import service as tickets
from tests.conftest import PASSWORD, make_agent
from tests.e2e.conftest import new_page, screenshot, serious_accessibility_violations, sign_in


async def test_agent_sets_the_journey_stage_and_sees_it_on_the_timeline(
    browser: Browser, live_server: str
) -> None:
    await make_agent("alice@desk.example", "lead")
    _, _ = await tickets.receive_contact(
        contact=tickets.Contact(
            channel="chat",
            identity=ContactIdentity(email="ann@acme.com", name="Ann Smith"),
            body="Do you ship to Norway?",
            subject="Shipping",
        )
    )
    page = await new_page(browser)
    await sign_in(page, live_server, "alice@desk.example", PASSWORD)
    await page.goto(f"{live_server}/customers")
    await page.get_by_role("link", name="Ann Smith").click()
    await page.wait_for_url("**/customers/*")
    # Auto-filled from the contact: the company of the address's domain.
    await expect(page.get_by_text(re.compile("^Acme · ann@acme.com"))).to_be_visible()
    await expect(
        page.get_by_test_id("customer-timeline-entry").filter(has_text="Do you ship to Norway?")
    ).to_be_visible()

    await page.get_by_role("combobox", name="Journey stage").click()
    await page.get_by_role("option", name="consideration", exact=True).click()
    entry = page.get_by_test_id("customer-timeline-entry").filter(
        has_text="Journey stage: (none) → consideration"
    )
    await expect(entry).to_be_visible()
    await expect(entry).to_contain_text("by agent")
    await expect(page.get_by_test_id("customer-timeline-entry").first).to_have_attribute(
        "data-kind", "journey"
    )
    await screenshot(page, "customer-journey")
    violations = await serious_accessibility_violations(page)
    assert violations == [], "\n".join(violations)

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Journey").click()
    # consideration: entered once, left never, one customer, none went on to purchase.
    await expect(
        page.get_by_role("row", name=re.compile(r"^consideration 1 0 1 0 %"))
    ).to_be_visible()
    violations = await serious_accessibility_violations(page)
    assert violations == [], "\n".join(violations)
