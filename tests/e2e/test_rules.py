"""In a real browser: a lead builds a rule in the editor, previews its dry run over the last
30 days, saves it; a customer then writes in, and the rule's change shows in the ticket's
audit trail and in the rule's run log."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Browser, Page, expect

from servicedesk.accounts import service as accounts
from tests.automation.rules.helpers import work
from tests.conftest import PASSWORD, make_agent
from tests.e2e.conftest import new_page, screenshot, serious_accessibility_violations, sign_in

RULE = "Refund requests are urgent"


def customer_writes(base_url: str, token: str, subject: str, email: str) -> int:
    response = httpx.post(
        f"{base_url}/api/contacts",
        json={
            "channel": "email",
            "customer": {"email": email, "name": email.split("@")[0].title()},
            "subject": subject,
            "body": "Please send my money back.",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["ticket"]["id"])


async def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a Mantine select (its list opens under the input)."""
    await page.get_by_role("combobox", name=label, exact=True).click()
    await page.get_by_role("option", name=option, exact=True).click()


async def lead_builds_the_rule(page: Page) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Rules").click()
    await page.get_by_role("link", name="New rule").click()
    await page.wait_for_url("**/rules/new")
    await page.get_by_label("Name", exact=True).fill(RULE)
    await page.get_by_role("button", name="Add condition (all)").click()
    await choose(page, "All condition 1 field", "ticket.subject")
    await choose(page, "All condition 1 operator", "contains")
    await page.get_by_label("All condition 1 value", exact=True).fill("refund")
    await page.get_by_role("button", name="Add action").click()
    await choose(page, "Action 1 type", "Set a field")
    await choose(page, "Action 1 field", "priority")
    await choose(page, "Action 1 value", "urgent")
    json_view = page.get_by_role("textbox", name=re.compile("^JSON"))
    await expect(json_view).to_have_value(re.compile(r'"op": "contains",\s+"value": "refund"'))
    await expect(json_view).to_have_value(re.compile(r'"field": "priority",\s+"value": "urgent"'))


async def lead_previews_the_dry_run(page: Page, earlier_ticket: int) -> None:
    await page.get_by_role("button", name="Preview last 30 days").click()
    await expect(page.get_by_test_id("dry-run-summary")).to_have_text(
        "Would have fired 1 time on 1 ticket"
    )
    row = page.get_by_test_id("dry-run-row")
    await expect(row).to_have_count(1)
    await expect(row.get_by_role("link")).to_have_attribute("href", f"/tickets/{earlier_ticket}")
    await expect(row).to_contain_text("set priority urgent")


async def test_lead_creates_a_rule_sees_its_dry_run_and_it_fires_on_a_new_contact(
    live_server: str, browser: Browser
) -> None:
    lead_id = await make_agent("lena@desk.example", "lead")
    token = await accounts.create_api_token(agent_id=lead_id, name="web form")
    earlier = customer_writes(live_server, token, "Refund for order 17", "carol@mail.example")
    customer_writes(live_server, token, "Where is order 18?", "dave@mail.example")
    await work()  # history: these events are handled before the rule exists

    page = await new_page(browser)
    await sign_in(page, live_server, "lena@desk.example", PASSWORD)
    await lead_builds_the_rule(page)
    await lead_previews_the_dry_run(page, earlier)
    await screenshot(page, "rules")
    violations = await serious_accessibility_violations(page)
    assert violations == [], "\n".join(violations)

    await page.get_by_role("button", name="Save rule").click()
    await page.wait_for_url(re.compile(r"/rules$"))
    row = page.get_by_test_id("rule-row").filter(has_text=RULE)
    await expect(row).to_contain_text("ticket.created")
    await expect(row.get_by_role("switch", name=f"{RULE} active")).to_be_checked()

    ticket = customer_writes(live_server, token, "Refund, please", "erin@mail.example")
    await work()  # the worker hands the ticket.created event to the rules

    await page.goto(f"{live_server}/tickets/{ticket}")
    audit = page.get_by_role("region", name="Audit trail")
    await expect(audit).to_contain_text(f"rule: {RULE} changed priority from normal to urgent")

    await page.goto(f"{live_server}/rules")
    await page.get_by_role("link", name=f"Run log of {RULE}").click()
    run = page.get_by_test_id("run-row")
    await expect(run).to_have_count(1)
    await expect(run.get_by_role("link", name=f"#{ticket}")).to_be_visible()
    await expect(run).to_contain_text("set priority urgent")
