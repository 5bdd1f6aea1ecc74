"""In a real browser: a message mailed in over SMTP (`servicedesk mail listen`) appears in
the agent's inbox, and its attachment downloads with the bytes that were sent."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from servicedesk.settings import get_settings
from tests.conftest import PASSWORD, make_agent
from tests.e2e.conftest import new_page, screenshot, sign_in
from tests.servicedesk.channels.mail import running_listener

INVOICE = b"%PDF-1.4\n% an invoice\n" + bytes(range(256)) * 8


@pytest.fixture
def mail_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Where the server and the listener keep attachments, and the address they accept."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INBOUND_ADDRESSES", "support@desk.example")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def invoice_question() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Grace Customer <grace@mail.example>"
    message["To"] = "support@desk.example"
    message["Subject"] = "Invoice 2026-118 is wrong"
    message["Message-ID"] = "<invoice-question@mail.example>"
    message.set_content("Hello, the attached invoice charges me twice.")
    message.add_attachment(
        INVOICE, maintype="application", subtype="pdf", filename="invoice-2026-118.pdf"
    )
    return message


async def test_a_mailed_in_message_appears_with_its_attachment(
    mail_desk: None, live_server: str, browser: Browser
) -> None:
    await make_agent("alice@desk.example", "agent")
    async with running_listener() as port:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            smtp.send_message(invoice_question())
    page = await new_page(browser)
    await sign_in(page, live_server, "alice@desk.example", PASSWORD)
    await page.get_by_role("button", name=re.compile(r"^Unassigned 1 ticket")).click()
    row = page.get_by_test_id("ticket-row").filter(has_text="Invoice 2026-118 is wrong")
    await expect(row).to_be_visible()
    await row.click()
    await page.wait_for_url(re.compile(r"/tickets/\d+"))
    entry = page.get_by_test_id("timeline-entry").filter(has_text="charges me twice")
    await expect(entry).to_be_visible()
    link = entry.get_by_test_id("attachment")
    await expect(link).to_contain_text("invoice-2026-118.pdf")
    await screenshot(page, "ticket-email-attachment")
    async with page.expect_download() as download_info:
        await link.click()
    download = await download_info.value
    assert download.suggested_filename == "invoice-2026-118.pdf"
    assert Path(await download.path()).read_bytes() == INVOICE
