"""`servicedesk serve` as a subprocess on a free port, for the tests that need the real
server (browser end-to-end, the API contract, two servers on one database) and for the
benchmarks (bench/contacts.py starts its server with `start_server` too)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

import httpx

from tests.processes import stop_process
from tests.smtp import free_port


def start_server(
    *,
    port: int,
    env: dict[str, str] | None = None,
    workers: int = 1,
    cwd: Path | None = None,
    out: IO[bytes] | IO[str] | None = None,
) -> subprocess.Popen[bytes]:
    """Starts `servicedesk serve` on 127.0.0.1:`port` (not waiting for it: see wait_until_up).
    Run as `python -m servicedesk.cli`, so that the server imports the same code as the
    caller (its PYTHONPATH), not whatever the console script points at."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "servicedesk.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=os.environ.copy() if env is None else env,
        cwd=cwd,
        stdout=out,
        stderr=subprocess.STDOUT if out is not None else None,
    )


def wait_until_up(
    base_url: str,
    server: subprocess.Popen[bytes],
    *,
    timeout: float = 30,
    path: str = "/health",
    any_answer: bool = False,
    log: Path | None = None,
) -> None:
    """Waits until `path` answers 200 (or anything at all, with `any_answer`); raises
    RuntimeError, with the server's log when there is one, if it exits or stays silent."""

    def output() -> str:
        return log.read_text() if log and log.exists() else ""

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited during start-up: {output()}")
        try:
            status = httpx.get(base_url + path, timeout=1).status_code
            if status == 200 or any_answer:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {path} in {timeout:.0f} s: {output()}")


@contextmanager
def served(port: int | None = None) -> Iterator[str]:
    """The server on the tests' database (os.environ); yields its base URL."""
    with _started(port or free_port()) as (base_url, server, log):
        wait_until_up(base_url, server, log=log)
        yield base_url


@contextmanager
def served_together(count: int) -> Iterator[list[str]]:
    """`count` servers on the tests' database, started at once (each start is mostly the
    app's imports: in parallel they take the time of one); yields their base URLs."""
    with ExitStack() as stack:
        started = [stack.enter_context(_started(free_port())) for _ in range(count)]
        for base_url, server, log in started:
            wait_until_up(base_url, server, log=log)
        yield [base_url for base_url, _, _ in started]


@contextmanager
def _started(port: int) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """The server started (not yet answering), its output in a log file; stopped after."""
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"servicedesk-serve-{port}.log"
    with log.open("w") as out:
        server = start_server(port=port, out=out)
    try:
        yield f"http://127.0.0.1:{port}", server, log
    finally:
        stop_process(server)
