"""`servicedesk serve` as a subprocess on a free port, for the tests that need the real
server (browser end-to-end, the API contract)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.processes import stop_process
from tests.smtp import free_port


@contextmanager
def served(port: int | None = None) -> Iterator[str]:
    """The server on the tests' database (os.environ); yields its base URL."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"servicedesk-serve-{port}.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "servicedesk.cli", "serve", "--port", str(port)],
            env=os.environ.copy(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(base_url, server, log)
        yield base_url
    finally:
        stop_process(server)


def _wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start in 30 s: {log.read_text()}")
