"""In a real browser: an admin adds a chat integration in Admin → Chat & social and copies
the secret it shows once; a message the widget posts to the door, signed with that secret,
opens a ticket that an agent sees in the inbox."""

from __future__ import annotations

import json
import re
import time

import httpx
from playwright.async_api import Browser, Page, expect

from servicedesk.outbox.http import SIGNATURE_HEADER, signature
from tests.conftest import PASSWORD, make_agent
from tests.e2e.conftest import new_page, screenshot, serious_accessibility_violations, sign_in


async def admin_creates_the_integration(page: Page) -> tuple[str, str]:
    """The secret and the door URL, as the admin copies them from the dialog."""
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    await page.get_by_role("tab", name="Chat & social").click()
    await expect(page.get_by_text("No chat or social integrations yet.")).to_be_visible()
    await page.get_by_role("button", name="New integration").click()
    await page.get_by_role("radio", name=re.compile("^Chat")).check()
    await page.get_by_role("textbox", name="Platform", exact=True).fill("widget")
    await page.get_by_role("textbox", name="Name", exact=True).fill("Website chat")
    await page.get_by_role("button", name="Create integration").click()

    dialog = page.get_by_role("dialog", name="Copy the secret now")
    await expect(dialog).to_contain_text("Website chat: this is the only time its secret is shown")
    await expect(dialog).to_contain_text(f"{SIGNATURE_HEADER}: t=<unix seconds>")
    await expect(page.get_by_role("dialog")).to_have_count(1)  # the form's has faded out
    await screenshot(page, "integration-secret")
    violations = await serious_accessibility_violations(page)
    assert violations == [], "\n".join(violations)
    await dialog.get_by_role("button", name="Copy secret").click()
    await expect(dialog.get_by_role("button", name="Copy secret")).to_have_text("Copied")
    secret = str(await page.evaluate("navigator.clipboard.readText()"))
    assert re.fullmatch(r"[0-9a-f]{64}", secret), secret
    door = await dialog.get_by_test_id("integration-door").inner_text()
    await dialog.get_by_role("button", name="I have stored the secret").click()
    await expect(dialog).to_be_hidden()

    row = page.get_by_test_id("integration-row")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("Website chat")
    await expect(row).to_contain_text("Active")
    await expect(page.locator("body")).not_to_contain_text(secret)  # shown that once
    return secret, door


async def test_an_admin_connects_a_chat_widget_and_its_signed_message_becomes_a_ticket(
    live_server: str, browser: Browser
) -> None:
    await make_agent("root@desk.example", "admin")
    await make_agent("alice@desk.example", "agent")
    admin = await new_page(browser)
    await admin.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    await sign_in(admin, live_server, "root@desk.example", PASSWORD)
    secret, door = await admin_creates_the_integration(admin)
    assert door == f"{live_server}/api/channels/chat/inbound"

    raw = json.dumps(
        {
            "platform": "widget",
            "conversation_id": "visit-7",
            "message_id": "m-1",
            "handle": "@grace",
            "display_name": "Grace Visitor",
            "text": "Is the blue lamp back in stock?",
            "sent_at": "2026-11-29T10:00:00Z",
        }
    ).encode()
    forged = httpx.post(
        door,
        content=raw,
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature("0" * 64, raw, int(time.time())),
        },
    )
    assert forged.status_code == 401, forged.text
    response = httpx.post(
        door,
        content=raw,
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(secret, raw, int(time.time())),
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "created"

    agent = await new_page(browser)
    await sign_in(agent, live_server, "alice@desk.example", PASSWORD)
    await agent.get_by_role("button", name=re.compile(r"^Unassigned 1 ticket")).click()
    row = agent.get_by_test_id("ticket-row").filter(has_text="Website chat: Is the blue lamp")
    await expect(row).to_be_visible()
    await row.click()
    await agent.wait_for_url(re.compile(r"/tickets/\d+"))
    entry = agent.get_by_test_id("timeline-entry").filter(has_text="blue lamp back in stock")
    await expect(entry).to_be_visible()
