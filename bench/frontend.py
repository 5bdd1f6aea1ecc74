"""Web UI first load: bundle sizes of the build, and the time until the inbox shows its
first ticket in headless Chromium against the real server on the demo data.

Usage: python bench/frontend.py [--base-url URL] [--compare URL] [--email E --password P]
       [--runs N] [--verbose]
With no --base-url it starts `servicedesk serve` on the current DATABASE_URL (load the
demo data first: `servicedesk demo`). Loopback only, bounded: N cold loads."""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "frontend" / "dist"
# Run as `python bench/frontend.py`: the repository root is not on the path by itself, and
# the browser (path and flags) is the one the e2e tests use.
sys.path.insert(0, str(ROOT))
from tests.browser import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from tests.processes import stop_process  # noqa: E402

# In the page, before any of its scripts: note when the first ticket row enters the DOM, and
# when the browser has painted it (a task queued from the next animation frame runs after
# that frame is painted).
FIRST_ROW_PROBE = """
new MutationObserver((_, observer) => {
  if (document.querySelector('[data-testid="ticket-row"]')) {
    window.__firstRow = performance.now();
    requestAnimationFrame(() => setTimeout(() => { window.__firstRowPainted = performance.now(); }));
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""


@dataclass
class Load:
    visible_ms: float  # until Playwright sees the first row (its polling included)
    in_dom_ms: float  # when the first row entered the DOM, on the page's own clock
    painted_ms: float  # when the frame showing it was painted, same clock


def bundle_sizes() -> list[tuple[str, int, int]]:
    """(file, bytes, gzipped bytes) of every JS and CSS asset, largest first."""
    sizes = []
    for path in sorted(DIST.glob("assets/*")):
        if path.suffix in (".js", ".css"):
            data = path.read_bytes()
            sizes.append((path.name, len(data), len(gzip.compress(data, 6))))
    return sorted(sizes, key=lambda s: -s[1])


async def breakdown(page: Page) -> str:
    """Where one load spent its time, from the browser's own clock (ms since navigation):
    when the scripts and styles arrived, when each API call left and was answered, when the
    first row entered the DOM."""
    marks = await page.evaluate(
        """() => {
          const out = [];
          const nav = performance.getEntriesByType("navigation")[0];
          out.push(`html ${Math.round(nav.responseEnd)}`);
          for (const r of performance.getEntriesByType("resource")) {
            const url = new URL(r.name);
            const name = url.pathname.startsWith("/api/")
              ? url.pathname.replace("/api/", "")
              : url.pathname.split(".").pop();
            if (name === "svg") continue;
            out.push(`${name} ${Math.round(r.startTime)}-${Math.round(r.responseEnd)}`);
          }
          out.push(`row ${Math.round(window.__firstRow)}, painted ${Math.round(window.__firstRowPainted)}`);
          return out.join(", ");
        }"""
    )
    return str(marks)


def signed_in_cookie(base_url: str, email: str, password: str) -> dict[str, str]:
    login = httpx.post(f"{base_url}/api/auth/login", json={"email": email, "password": password})
    login.raise_for_status()
    return {"name": "sd_session", "value": login.cookies["sd_session"], "url": base_url}


async def one_load(browser: Browser, base_url: str, cookie: dict[str, str], verbose: bool) -> Load:
    """One cold load of the inbox (new context: empty cache, signed in through the cookie)."""
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    await context.add_cookies([cookie])  # type: ignore[list-item]
    await context.add_init_script(FIRST_ROW_PROBE)
    page = await context.new_page()
    start = time.perf_counter()
    await page.goto(f"{base_url}/inbox?view=open")
    await page.get_by_test_id("ticket-row").first.wait_for()
    visible_ms = (time.perf_counter() - start) * 1000
    await page.wait_for_function("window.__firstRowPainted !== undefined")
    in_dom, painted = await page.evaluate("[window.__firstRow, window.__firstRowPainted]")
    load = Load(visible_ms=visible_ms, in_dom_ms=float(in_dom), painted_ms=float(painted))
    if verbose:
        print(f"  {base_url} {load.visible_ms:5.0f} ms: {await breakdown(page)}")
    await context.close()
    return load


async def time_inbox(
    base_urls: list[str], email: str, password: str, runs: int, verbose: bool
) -> dict[str, list[Load]]:
    """`runs` cold loads of /inbox per server, taking turns so that the servers share
    whatever else the machine is doing: from navigation until the first ticket row is on
    screen (HTML, JS, CSS, the API calls and rendering included)."""
    cookies = {url: signed_in_cookie(url, email, password) for url in base_urls}
    loads: dict[str, list[Load]] = {url: [] for url in base_urls}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for _ in range(runs):
            for url in base_urls:
                loads[url].append(await one_load(browser, url, cookies[url], verbose))
        await browser.close()
    return loads


def start_server(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "servicedesk.cli", "serve", "--port", str(port)],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url")
    parser.add_argument("--email", default="agent1@desk.example")
    parser.add_argument("--password", default="demo-password")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="URL",
        help="another server (e.g. an older build) to load in turns with the first",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="print each load's timeline (browser clock, ms)"
    )
    args = parser.parse_args()
    print("bundle (bytes, gzip):")
    for name, raw, packed in bundle_sizes():
        print(f"  {name:40} {raw / 1024:8.1f} KiB  {packed / 1024:7.1f} KiB gz")
    server = None
    base_url = args.base_url
    if not base_url:
        server = start_server(8765)
        base_url = "http://127.0.0.1:8765"
    load_before = os.getloadavg()[0]
    try:
        results = asyncio.run(
            time_inbox(
                [base_url, *args.compare], args.email, args.password, args.runs, args.verbose
            )
        )
    finally:
        if server:
            stop_process(server)
    load_after = os.getloadavg()[0]
    for url, loads in results.items():
        visible = [load.visible_ms for load in loads]
        in_dom = [load.in_dom_ms for load in loads]
        painted = [load.painted_ms for load in loads]
        print(
            f"{url}: inbox first ticket visible: median {statistics.median(visible):.0f} ms, "
            f"max {max(visible):.0f} ms over {len(loads)} loads; by the page's clock (median / "
            f"max) in the DOM at {statistics.median(in_dom):.0f} / {max(in_dom):.0f} ms, "
            f"painted at {statistics.median(painted):.0f} / {max(painted):.0f} ms"
        )
    print(f"1-min load average {load_before:.1f} before, {load_after:.1f} after")


if __name__ == "__main__":
    main()
