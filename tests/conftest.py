"""Test setup: a real database (a fresh SQLite file, or the PostgreSQL of DATABASE_URL),
a real queue, the real app over ASGI, and a real SMTP server (aiosmtpd) when asked for."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="servicedesk-tests-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP}/test.db")
os.environ.setdefault("QUEUE_URL", f"sqlite:///{_TMP}/queue.db")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ["SMTP_URL"] = ""
os.environ.setdefault("LOGIN_ATTEMPTS_PER_MINUTE", "1000")
# Argon2id still, at its least cost: a hash took 0.26 s, and most tests sign someone in.
os.environ.setdefault("PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("PASSWORD_HASH_MEMORY_KIB", "1024")

import httpx  # noqa: E402
from piccolo.table import Table  # noqa: E402

from servicedesk import db  # noqa: E402
from servicedesk.cache import changed  # noqa: E402
from servicedesk.db import get_engine, is_sqlite  # noqa: E402
from servicedesk.settings import get_settings  # noqa: E402
from tests.smtp import SmtpServer  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "correct horse battery"


async def _reset_schema() -> None:
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        import asyncpg

        conn = await asyncpg.connect(url)
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await conn.close()
    subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", "migrate"], check=True, capture_output=True
    )


@pytest.fixture(scope="session", autouse=True)
async def database() -> AsyncIterator[None]:
    """A fresh schema, and the connection pool on the tests' own event loop (requests run
    on that loop too, through httpx's ASGI transport)."""
    await _reset_schema()
    await db.start_pool()
    yield
    await db.close_pool()


def _tables() -> list[type[Table]]:
    """Every table of the project's apps, the ones others reference last (deleting in
    this order breaks no foreign key)."""
    from piccolo.conf.apps import Finder
    from piccolo.table import sort_table_classes

    return list(reversed(sort_table_classes(Finder().get_table_classes())))


TABLE_CLASSES = _tables()
TABLES = [table._meta.tablename for table in TABLE_CLASSES]


_sequences: list[str] = []


async def truncate_all() -> None:
    """Empties every table, ids restarting from 1, by DELETE in one transaction: a
    TRUNCATE of these tables made new files for each on PostgreSQL (0.2-0.7 s a test
    against a few ms), and SQLite committed each DELETE on its own."""
    engine = get_engine()
    if is_sqlite():
        async with engine.transaction():
            for table in TABLES:
                await engine.run_ddl(f"DELETE FROM {table}")
        return
    async with engine.pool.acquire() as connection:
        if not _sequences:
            _sequences.extend(
                row[0]
                for row in await connection.fetch(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
                )
            )
        restart = "".join(f"SELECT setval('{name}', 1, false);" for name in _sequences)
        deletes = "".join(f"DELETE FROM {table};" for table in TABLES)
        await connection.execute(f"BEGIN;{deletes}{restart}COMMIT;")


@pytest.fixture(autouse=True)
async def clean_tables(database: None) -> AsyncIterator[None]:
    """Each test starts from empty tables."""
    await truncate_all()
    get_settings.cache_clear()
    for table in TABLE_CLASSES:  # copies this process keeps (servicedesk.cache) are stale
        changed(table)
    yield
    get_settings.cache_clear()


def app_client() -> httpx.AsyncClient:
    """An HTTP client talking to a new app instance in this process."""
    from servicedesk.app import create_app

    transport = httpx.ASGITransport(app=create_app(), client=("127.0.0.1", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with app_client() as test_client:
        yield test_client


async def make_agent(email: str, role: str = "agent", team: str | None = None) -> int:
    """An agent with PASSWORD; the existing one when a module keeps its data between tests."""
    from servicedesk.accounts import service

    existing = await service.find_agent_by_email(email=email)
    if existing:
        return int(existing["id"])
    name = email.split("@")[0].title()
    return await service.create_agent(
        email=email, name=name, role=role, team=team, password=PASSWORD
    )


async def sign_in(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    """Signs in through the API; later unsafe requests carry the CSRF header."""
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    client.headers["X-CSRF-Token"] = body["csrf_token"]
    return body


async def signed_in(client: httpx.AsyncClient, email: str, role: str) -> httpx.AsyncClient:
    await make_agent(email, role)
    await sign_in(client, email)
    return client


@pytest.fixture
async def agent_client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return await signed_in(client, "alice@desk.example", "agent")


@pytest.fixture
async def lead_client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return await signed_in(client, "lena@desk.example", "lead")


@pytest.fixture
async def admin_client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return await signed_in(client, "adam@desk.example", "admin")


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A real SMTP server the outbox delivers to; SMTP_URL is set in os.environ so that a
    server or worker started as a subprocess delivers there too."""
    server = SmtpServer()
    server.start()
    monkeypatch.setenv("SMTP_URL", server.url)
    get_settings.cache_clear()
    try:
        yield server
    finally:
        server.stop()
        get_settings.cache_clear()
