"""The event loop huey's tasks run their async work on: one per process, on a thread of its
own, with the database pool open for as long as the process lives.

Huey's tasks are synchronous and its worker threads have no event loop; each task used to
run `asyncio.run(...)`, a loop of its own without a connection pool, so every query outside
a transaction opened a PostgreSQL connection (~5 ms). A pool belongs to the loop that
created it, and Piccolo's engine holds one pool, so the worker's threads all hand their
coroutines to this one loop (`run`) and wait for the result: the pool is shared, the
tasks still run concurrently (their waits on the database and SMTP interleave). The same
works on SQLite, where there is no pool."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_pid = 0


def _new_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop where it is installed (it is, with uvicorn[standard]): its
    transports are C, and the worker's loop spent a tenth of its CPU in asyncio's own
    socket reading, under asyncpg's replies."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - a dependency of the project
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _start() -> asyncio.AbstractEventLoop:
    from servicedesk import db

    loop = _new_loop()
    started: list[BaseException | None] = []
    ready = threading.Event()

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(db.start_pool())
        except BaseException as exc:  # reported to the task that started the loop
            started.append(exc)
            ready.set()
            return
        started.append(None)
        ready.set()
        loop.run_forever()

    threading.Thread(target=main, name="task-loop", daemon=True).start()
    ready.wait()
    if started[0] is not None:
        raise started[0]
    atexit.register(_stop, loop)
    return loop


def _stop(loop: asyncio.AbstractEventLoop) -> None:
    from servicedesk import db

    if loop.is_running():
        # Exiting anyway if this fails: the server drops the connections.
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(db.close_pool(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)


def loop() -> asyncio.AbstractEventLoop:
    """The process's task loop, started on first use (and again in a forked child)."""
    global _loop, _pid
    with _lock:
        if _loop is None or _pid != os.getpid():
            _loop, _pid = _start(), os.getpid()
        return _loop


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Runs `coro` on the task loop and waits for its result (from a huey worker thread)."""
    return asyncio.run_coroutine_threadsafe(coro, loop()).result()
