"""The one Chromium the browser tests and bench/frontend.py drive: Debian's own (never a
downloaded browser) with the flags that keep it quiet and headless in a container."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
