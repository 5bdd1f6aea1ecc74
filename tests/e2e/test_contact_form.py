"""In a real browser: a customer fills the public /contact page (no sign-in), and an agent
sees the ticket it opened in the inbox, with the optional order number."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from tests.conftest import PASSWORD, make_agent
from tests.e2e.conftest import new_page, screenshot, sign_in


async def test_a_contact_form_post_appears_in_the_agents_inbox(
    live_server: str, browser: Browser
) -> None:
    await make_agent("alice@desk.example", "agent")
    customer = await new_page(browser)
    await customer.goto(f"{live_server}/contact")
    await customer.get_by_label("Name").fill("Hedy Customer")
    await customer.get_by_label("Email").fill("hedy@mail.example")
    await customer.get_by_label("Order number (optional)").fill("A-2042")
    await customer.get_by_label("Subject").fill("Parcel arrived damaged")
    await customer.get_by_label("Message").fill("The box was crushed and the lamp is broken.")
    await screenshot(customer, "contact-form")
    await customer.get_by_role("button", name="Send").click()
    await expect(customer.get_by_role("heading", name="Thank you!")).to_be_visible()

    agent = await new_page(browser)
    await sign_in(agent, live_server, "alice@desk.example", PASSWORD)
    await agent.get_by_role("button", name=re.compile(r"^Unassigned 1 ticket")).click()
    row = agent.get_by_test_id("ticket-row").filter(has_text="Parcel arrived damaged")
    await expect(row).to_be_visible()
    await row.click()
    await agent.wait_for_url(re.compile(r"/tickets/\d+"))
    entry = agent.get_by_test_id("timeline-entry").filter(has_text="lamp is broken")
    await expect(entry).to_be_visible()
    await expect(entry).to_contain_text("Order number: A-2042")
