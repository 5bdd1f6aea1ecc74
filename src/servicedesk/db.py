"""The database engine chosen by DATABASE_URL, and write transactions that work on both.

The ways to run a query, and when each is used:

- Piccolo's query builder: the default, for every read and write not named below.
- A `Sql` statement run by `fetch` / `fetch_one`: its text is built once and, on
  PostgreSQL, prepared once per connection by asyncpg. Only two kinds exist: the INSERT
  and UPDATE statements that servicedesk.statements builds from each table's own columns
  (run by servicedesk.writes, the one write path), and the named hand-written reads of a
  domain's queries.py that run on every inbound contact. Piccolo's builder spent about
  half the CPU of a contact rebuilding the same SQL text on every call.
- `Table.raw`, for the reports' aggregates (cx/cohort.py, cx/reports.py,
  cx/survey_answers.py) that the query builder cannot express; they run once per report,
  not per request.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString


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


_engine: Engine | None = None


def get_engine() -> Engine:
    """The engine piccolo_conf.py defines (found once: Piccolo's finder imports the
    configuration module on every call, and this runs for every statement)."""
    global _engine
    if _engine is None:
        from piccolo.engine import engine_finder

        _engine = engine_finder()
        assert _engine is not None, "piccolo_conf.py defines no engine"
    return _engine


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


Flush = Callable[[list[Any]], Awaitable[None]]
_batches: contextvars.ContextVar[dict[Flush, list[Any]] | None] = contextvars.ContextVar(
    "batches", default=None
)


async def write_batched(flush: Flush, item: Any) -> None:
    """Adds `item` to the rows that `flush` writes in one statement just before the current
    write_transaction commits (so they are still part of it); without one, writes it now.
    For rows nothing reads back within the change, such as outbox events."""
    batches = _batches.get()
    if batches is None:
        await flush([item])
    else:
        batches.setdefault(flush, []).append(item)


async def _flush_batches(batches: dict[Flush, list[Any]]) -> None:
    while batches:
        flush = next(iter(batches))
        await flush(batches.pop(flush))


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """One transaction for a change. SQLite takes the write lock up front (BEGIN IMMEDIATE)
    so that a read-then-write never fails with 'database is locked' half-way."""
    engine = get_engine()
    if engine.transaction_exists():
        yield
        return
    callbacks: list[Callable[[], None]] = []
    batches: dict[Flush, list[Any]] = {}
    token = _after_commit.set(callbacks)
    batches_token = _batches.set(batches)
    try:
        if isinstance(engine, SQLiteEngine):
            async with engine.transaction(transaction_type=TransactionType.immediate):
                yield
                await _flush_batches(batches)
        else:
            async with engine.transaction():
                yield
                await _flush_batches(batches)
    finally:
        _batches.reset(batches_token)
        _after_commit.reset(token)
    for callback in callbacks:
        callback()


async def _keep_session(connection: Any) -> None:
    """Pool release without asyncpg's default reset query (advisory unlock, CLOSE ALL,
    UNLISTEN, RESET ALL): a round trip on every release, i.e. on every query outside a
    transaction. The app keeps no session state (no SET, LISTEN, cursors or advisory
    locks; SET LOCAL ends with its transaction); asyncpg still rolls back an open
    transaction before a connection goes back to the pool."""


async def start_pool() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(max_size=20, reset=_keep_session)
    else:
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def close_pool() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


T = TypeVar("T")
# Ids per IN list of a look-up: SQLite limits a statement's parameters, and PostgreSQL plans
# a bounded list as well as any.
CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """`items` in slices of at most `size`, for look-ups by a list of keys."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def matches_text(column: Any, pattern: str) -> Any:
    """Case-insensitive LIKE on both engines: ILIKE on PostgreSQL; SQLite's LIKE already
    ignores case (ASCII), and Piccolo warns on every ILIKE it rewrites there."""
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)


class Sql:
    """A fixed statement, its text written once with Piccolo's `{}` placeholders and turned
    into each engine's form once. The hot paths (an inbound contact) run these instead of
    Piccolo's query builder, which spent about half of the request's CPU rebuilding the
    same SQL text on every call. Identifiers are quoted as Piccolo quotes them."""

    def __init__(self, template: str) -> None:
        self.template = template
        parts = template.split("{}")
        self.postgres = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))

    @property
    def sqlite(self) -> str:
        """The text with SQLite's `?` placeholders (for executemany)."""
        return self.template.replace("{}", "?")

    @classmethod
    def text(cls, postgres: str) -> Sql:
        """A statement already in PostgreSQL's form ($1, $2, ...), run on PostgreSQL only."""
        sql = cls.__new__(cls)
        sql.template, sql.postgres = "", postgres
        return sql


class IdsSql:
    """A fixed statement that takes a list of ids as ONE parameter, written `{ids}` after
    the column it tests (`WHERE "id" {ids}`): an array on PostgreSQL (`= ANY($n)`), a JSON
    list on SQLite (pass id_list(ids)). Its text, and on PostgreSQL its prepared statement
    and plan, are the same for any number of ids. An IN list of n placeholders is a
    statement per n, and PostgreSQL's generic plan for those became a sequential scan
    testing every row against the whole list once the table had outgrown the statistics
    it was planned with (10 ms for a page of 100 outbox rows among 30,000, instead of 0.5).
    An array of unknown length is planned as ten rows: an index lookup at any size."""

    def __init__(self, template: str) -> None:
        self.postgres = Sql(template.replace("{ids}", "= ANY({})"))
        self.sqlite = Sql(template.replace("{ids}", "IN (SELECT value FROM json_each({}))"))

    def for_engine(self) -> Sql:
        return self.sqlite if is_sqlite() else self.postgres


def id_list(ids: Iterable[Any]) -> Any:
    """`ids` as the one parameter an IdsSql statement takes."""
    return json.dumps(list(ids)) if is_sqlite() else list(ids)


@asynccontextmanager
async def task_pool() -> AsyncIterator[None]:
    """The connection pool for the block, when the running loop has none (a command run
    outside the worker's task loop, servicedesk.taskloop, which holds one): without it
    Piccolo opens a PostgreSQL connection per statement (about 5 ms each, which held
    campaign delivery to a few dozen emails a second), and the block's concurrent work
    (a batch's events beside its emails, several SMTP connections) needs a connection
    each."""
    engine = get_engine()
    if not isinstance(engine, PostgresEngine) or engine.pool is not None:
        yield
        return
    await start_pool()
    try:
        yield
    finally:
        await close_pool()


async def fetch(sql: Sql, *args: Any) -> list[dict[str, Any]]:
    """Runs a fixed statement in the current transaction, if any; returns its rows. On
    PostgreSQL it goes straight to asyncpg, which prepares each text once per connection."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        transaction = engine.current_transaction.get()
        if transaction is not None:
            return [dict(row) for row in await transaction.connection.fetch(sql.postgres, *args)]
        if engine.pool is not None:
            async with engine.pool.acquire() as connection:
                return [dict(row) for row in await connection.fetch(sql.postgres, *args)]
    rows = await engine.run_querystring(QueryString(sql.template, *args))
    return [dict(row) for row in rows or []]


async def fetch_one(sql: Sql, *args: Any) -> dict[str, Any] | None:
    rows = await fetch(sql, *args)
    return rows[0] if rows else None
