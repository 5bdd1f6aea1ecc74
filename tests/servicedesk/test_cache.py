"""servicedesk.cache: a copy kept per process is read again at once after a change this
process commits, and checked again (its version, or the copy itself) within the recheck
interval for changes made elsewhere."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from servicedesk.accounts.tables import Team
from servicedesk.cache import Cached, changed
from servicedesk.db import write_transaction

RECHECK = 0.1


class Source:
    """A value and its version as the database would give them, counting the reads."""

    def __init__(self) -> None:
        self.value = "first"
        self.version = 1
        self.reads = 0
        self.version_reads = 0

    async def read(self) -> str:
        self.reads += 1
        return self.value

    async def read_version(self) -> int:
        self.version_reads += 1
        return self.version

    def change(self, value: str) -> None:
        self.value, self.version = value, self.version + 1


async def test_a_copy_is_kept_until_this_process_changes_it() -> None:
    source = Source()
    cached = Cached(Team, source.read, version=source.read_version, recheck_seconds=60)
    assert await cached.get() == "first"
    source.change("second")
    assert await cached.get() == "first"  # kept: no change this process knows of
    assert (source.reads, source.version_reads) == (1, 1)
    changed(Team)
    assert await cached.get() == "second"
    assert (source.reads, source.version_reads) == (2, 2)


async def test_a_change_counts_once_its_transaction_commits() -> None:
    source = Source()
    cached = Cached(Team, source.read, recheck_seconds=60)
    assert await cached.get() == "first"
    async with write_transaction():
        source.change("second")
        changed(Team)
        assert await cached.get() == "first"
    assert await cached.get() == "second"


async def test_a_change_made_while_the_copy_is_read_makes_the_next_get_read_it_again() -> None:
    source = Source()

    async def read_then_change() -> str:
        value = await source.read()
        if source.reads == 1:  # another coroutine of this process commits a change now
            source.change("second")
            changed(Team)
        return value

    cached = Cached(Team, read_then_change, recheck_seconds=60)
    assert await cached.get() == "first"
    assert await cached.get() == "second"


async def test_after_the_interval_the_version_is_checked() -> None:
    source = Source()
    cached = Cached(Team, source.read, version=source.read_version, recheck_seconds=RECHECK)
    assert await cached.get() == "first"
    await asyncio.sleep(RECHECK * 1.2)
    assert await cached.get() == "first"
    assert (source.reads, source.version_reads) == (1, 2)
    source.change("second")  # as another process would
    assert await cached.get() == "first"
    await asyncio.sleep(RECHECK * 1.2)
    assert await cached.get() == "second"  # the copy is read only when the version differs
    assert (source.reads, source.version_reads) == (2, 3)


async def test_without_a_version_the_copy_is_read_again_after_the_interval() -> None:
    source = Source()
    cached = Cached(Team, source.read, recheck_seconds=RECHECK)
    assert await cached.get() == "first"
    source.change("second")
    assert await cached.get() == "first"
    await asyncio.sleep(RECHECK * 1.2)
    assert await cached.get() == "second"
    assert source.reads == 2


async def test_a_copy_checked_before_the_moment_asked_for_is_checked_again() -> None:
    source = Source()
    cached = Cached(Team, source.read, version=source.read_version, recheck_seconds=60)
    before = datetime.now(UTC)
    assert await cached.get(since=before) == "first"
    assert await cached.get(since=before) == "first"
    assert source.version_reads == 1  # checked after `before`: kept
    source.change("second")  # as another process would, before an event is raised
    assert await cached.get(since=datetime.now(UTC)) == "second"
    assert source.version_reads == 2
