"""Browser end-to-end tests: the real server (`servicedesk serve`) on the test database,
a real SMTP server, and Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.browser import CHROMIUM, CHROMIUM_FLAGS
from tests.servers import served
from tests.smtp import SmtpServer, free_port

# The README's screenshots are taken on the demo data by the tour (test_demo_tour.py) and
# refreshed on demand (UPDATE_SCREENSHOTS=1); every other shot, and the tour's without that
# setting, goes to a temporary folder, so that a test run leaves the checkout as it found it.
README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOTS = Path(tempfile.gettempdir()) / "servicedesk-screenshots"


@pytest.fixture
def live_server(smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`servicedesk serve` on a free port, sharing the tests' database and SMTP server."""
    port = free_port()
    monkeypatch.setenv("BASE_URL", f"http://127.0.0.1:{port}")
    from servicedesk.settings import get_settings

    get_settings.cache_clear()
    with served(port) as base_url:
        yield base_url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


async def new_page(browser: Browser) -> Page:
    """A page in a fresh context (own cookies), sized like a laptop screen."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(15_000)
    return page


async def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    await page.goto(f"{base_url}/login")
    await page.get_by_label("Email").fill(email)
    await page.locator("input[type=password]").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: "/login" not in url)


async def screenshot(page: Page, name: str, *, readme: bool = False) -> None:
    """A shot of the page; `readme`: one of the README's (the demo tour's)."""
    folder = (
        README_SCREENSHOTS
        if readme and os.environ.get("UPDATE_SCREENSHOTS") == "1"
        else SCREENSHOTS
    )
    folder.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


async def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the current page."""
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']}: {v['help']} at {[(n['target'], n.get('failureSummary')) for n in v['nodes']][:2]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
