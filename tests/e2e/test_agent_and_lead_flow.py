"""In a real browser: an agent answers and solves a new ticket, the customer rates it from
the emailed link, the lead sees the dashboard change and drills down to that ticket;
roles without rights cannot open admin pages; the main pages have no serious a11y issues."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Browser, Page, expect

from servicedesk.accounts import service as accounts
from servicedesk.outbox.tasks import deliver_due
from tests.conftest import PASSWORD, make_agent
from tests.e2e.conftest import new_page, screenshot, serious_accessibility_violations, sign_in
from tests.smtp import SmtpServer


async def customer_writes(base_url: str, token: str, body: str, subject: str, email: str) -> dict:
    response = httpx.post(
        f"{base_url}/api/contacts",
        json={
            "channel": "email",
            "customer": {"email": email, "name": "Carol Customer"},
            "subject": subject,
            "body": body,
            "message_id": "<carol-1@mail.example>",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    return response.json()["ticket"]


async def agent_solves_the_new_ticket(page: Page, base_url: str, subject: str) -> None:
    await sign_in(page, base_url, "alice@desk.example", PASSWORD)
    await page.get_by_role("button", name=re.compile(r"^Unassigned 1 ticket")).click()
    row = page.get_by_test_id("ticket-row").filter(has_text=subject)
    await expect(row).to_be_visible()
    await screenshot(page, "inbox")
    await row.click()
    await page.wait_for_url(re.compile(r"/tickets/\d+"))
    await page.get_by_role("textbox", name=re.compile("Reply to")).fill(
        "It left our warehouse today; it arrives tomorrow."
    )
    await page.get_by_role("button", name="Send reply").click()
    await expect(
        page.get_by_test_id("timeline-entry").filter(has_text="arrives tomorrow")
    ).to_be_visible()
    await page.get_by_role("combobox", name="Status").click()
    await page.get_by_role("option", name="Solved").click()
    await expect(page.get_by_role("combobox", name="Status")).to_have_value("Solved")
    await screenshot(page, "ticket")


async def agent_finds_the_customer(page: Page, search: str, name: str) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    await page.get_by_role("searchbox", name="Search customers").fill(search)
    await page.wait_for_url("**/customers?q=*")
    await expect(page.get_by_test_id("customer-row")).to_have_count(1)
    violations = await serious_accessibility_violations(page)
    assert violations == [], "\n".join(violations)
    await page.get_by_role("link", name=name).click()
    await page.wait_for_url("**/customers/*")


async def customer_rates_from_the_email(page: Page, smtp_server: SmtpServer) -> None:
    await deliver_due()
    (survey,) = smtp_server.about("How did we do?")
    link = re.search(r"(http://\S+/survey/\S+\?rating=5)", survey.get_content())
    assert link, survey.get_content()
    await page.goto(link.group(1))
    await expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()


async def lead_sees_the_dashboard_and_drills_down(page: Page, base_url: str, subject: str) -> None:
    await sign_in(page, base_url, "lena@desk.example", PASSWORD)
    await page.goto(f"{base_url}/dashboard")
    csat = page.get_by_role("link", name=re.compile(r"^CSAT: 100"))
    await expect(csat).to_be_visible()
    await expect(
        page.get_by_role("link", name=re.compile(r"^Volume \(solved\): 1\b"))
    ).to_be_visible()
    trend = page.get_by_role("img", name=re.compile("resolution time"))
    await expect(trend.get_by_text("Median resolution (h)")).to_be_visible()
    await screenshot(page, "dashboard")
    assert await serious_accessibility_violations(page) == []
    await csat.click()
    drill = page.get_by_test_id("drill-row").filter(has_text=subject)
    await expect(drill).to_be_visible()
    await drill.get_by_role("link").first.click()
    await expect(page.get_by_role("heading", name=re.compile(subject))).to_be_visible()


async def test_agent_solves_customer_rates_lead_sees_it(
    live_server: str, browser: Browser, smtp_server: SmtpServer
) -> None:
    await make_agent("alice@desk.example", "agent")
    lead_id = await make_agent("lena@desk.example", "lead")
    token = await accounts.create_api_token(agent_id=lead_id, name="web form")
    subject = "Where is order 4711?"
    ticket = await customer_writes(
        live_server, token, "It has not arrived.", subject, "carol@mail.example"
    )

    agent = await new_page(browser)
    await agent_solves_the_new_ticket(agent, live_server, subject)
    violations = await serious_accessibility_violations(agent)
    assert violations == [], "\n".join(violations)
    reply = smtp_server.about(f"[#{ticket['id']}] Re: {subject}")
    await deliver_due()
    assert len(smtp_server.about(f"[#{ticket['id']}] Re: {subject}")) == 1 > len(reply)

    await agent_finds_the_customer(agent, "carol@mail", "Carol Customer")
    assert agent.url.endswith(f"/customers/{ticket['customer']['id']}")
    await expect(agent.get_by_test_id("customer-timeline-entry").first).to_be_visible()
    await screenshot(agent, "customer")
    violations = await serious_accessibility_violations(agent)
    assert violations == [], "\n".join(violations)

    customer = await new_page(browser)
    await customer_rates_from_the_email(customer, smtp_server)

    await agent.goto(f"{live_server}/tickets/{ticket['id']}")
    await expect(agent.get_by_test_id("csat-rating")).to_have_text("5 / 5")

    lead = await new_page(browser)
    await lead_sees_the_dashboard_and_drills_down(lead, live_server, subject)


async def test_roles_without_rights_cannot_open_admin_pages(
    live_server: str, browser: Browser
) -> None:
    await make_agent("alice@desk.example", "agent")
    await make_agent("lena@desk.example", "lead")
    await make_agent("adam@desk.example", "admin")
    for email, allowed in (
        ("alice@desk.example", False),
        ("lena@desk.example", False),
        ("adam@desk.example", True),
    ):
        page = await new_page(browser)
        await sign_in(page, live_server, email, PASSWORD)
        await page.goto(f"{live_server}/admin")
        denied = page.get_by_role("heading", name="You do not have access")
        if allowed:
            await expect(page.get_by_role("tab", name="Agents")).to_be_visible()
            await expect(denied).to_have_count(0)
        else:
            await expect(denied).to_be_visible()
        await page.context.close()


async def test_sign_in_error_is_shown_readably(live_server: str, browser: Browser) -> None:
    page = await new_page(browser)
    await page.goto(f"{live_server}/login")
    await page.get_by_label("Email").fill("nobody@desk.example")
    await page.locator("input[type=password]").fill("wrong password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text(
        re.compile("wrong email or password", re.I)
    )
