"""The database engine chosen by DATABASE_URL, and write transactions that work on both."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


def engine_from_url(url: str) -> Engine:
    """Builds a Piccolo engine from sqlite:///path or postgres://user@host:port/db."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=path, timeout=30)
    if parsed.scheme in ("postgres", "postgresql"):
        return PostgresEngine(
            config={
                "host": parsed.hostname or "127.0.0.1",
                "port": parsed.port or 5432,
                "user": unquote(parsed.username or "postgres"),
                "password": unquote(parsed.password or ""),
                "database": parsed.path.lstrip("/") or "postgres",
            }
        )
    raise ValueError(f"DATABASE_URL scheme {parsed.scheme!r} is not supported")


@functools.cache  # piccolo_conf builds its engine once; finding it again costs ~20 µs a call
def get_engine() -> Engine:
    from piccolo.engine import engine_finder

    engine = engine_finder()
    assert engine is not None, "piccolo_conf.py defines no engine"
    return engine


def is_sqlite() -> bool:
    return isinstance(get_engine(), SQLiteEngine)


_after_commit: contextvars.ContextVar[list[Callable[[], None]] | None] = contextvars.ContextVar(
    "after_commit", default=None
)


def after_commit(callback: Callable[[], None]) -> None:
    """Runs `callback` once the current transaction has committed (at once if there is none).
    Side effects such as enqueuing a job go here, so a rollback never leaks them."""
    pending = _after_commit.get()
    if pending is None:
        callback()
    else:
        pending.append(callback)


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """One transaction for a change. SQLite takes the write lock up front (BEGIN IMMEDIATE)
    so that a read-then-write never fails with 'database is locked' half-way."""
    engine = get_engine()
    if engine.transaction_exists():
        yield
        return
    callbacks: list[Callable[[], None]] = []
    token = _after_commit.set(callbacks)
    try:
        if isinstance(engine, SQLiteEngine):
            async with engine.transaction(transaction_type=TransactionType.immediate):
                yield
        else:
            async with engine.transaction():
                yield
    finally:
        _after_commit.reset(token)
    for callback in callbacks:
        callback()


async def start_pool() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(max_size=20)
    else:
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def close_pool() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


def matches_text(column: Any, pattern: str) -> Any:
    """Case-insensitive LIKE on both engines: ILIKE on PostgreSQL; SQLite's LIKE already
    ignores case (ASCII), and Piccolo warns on every ILIKE it rewrites there."""
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)
