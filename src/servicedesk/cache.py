"""Configuration read from the database and kept by each process (such as the active SLA
policies, or the automation plugin's compiled rules): read again when it may have
changed, not on every use.

A change made through this process is seen at once: the service that writes the table
calls `changed(table)`, which counts once the transaction commits, and a copy read before
the count went up is read again. A change made by another process (a second server, the
CLI, a worker) is seen within RECHECK_SECONDS: at most once per interval a copy is
checked, by reading its version (a cheap query; the copy itself is read again only when
the version differs) or, for a copy without one, by reading it again."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Generic, TypeVar

from piccolo.table import Table

from .db import after_commit

T = TypeVar("T")
RECHECK_SECONDS = 1.0
# The committed changes this process made to each table, counted.
_changes: Counter[type[Table]] = Counter()


def changed(table: type[Table]) -> None:
    """The current transaction changes `table` (or this process has just changed it, when
    there is none): the copies read from it are read again once the change commits."""
    after_commit(lambda: _changes.update((table,)))


class Cached(Generic[T]):
    """What `read` makes of `table`, kept by this process until it may have changed.
    `version`, if given, reads what changes whenever the table does."""

    def __init__(
        self,
        table: type[Table],
        read: Callable[[], Awaitable[T]],
        *,
        version: Callable[[], Awaitable[object]] | None = None,
        recheck_seconds: float = RECHECK_SECONDS,
    ) -> None:
        self.table = table
        self.read = read
        self.version = version
        self.recheck_seconds = recheck_seconds
        self._kept: tuple[object, T] | None = None  # (version, value)
        # When the kept copy was last checked (time.time() as the check began), and the
        # count of this process's changes to the table then.
        self._checked_at = 0.0
        self._checked_changes = -1

    async def get(self, *, since: datetime | None = None) -> T:
        """The value, checked again when this process has changed the table since the
        last check, when recheck_seconds have passed since it, or when `since` (the time
        of what the value is wanted for, such as an event) is not before it: a change
        committed before that moment, in any process, always applies."""
        started = time.time()
        changes = _changes[self.table]
        kept = self._kept
        if (
            kept is not None
            and changes == self._checked_changes
            and started - self._checked_at < self.recheck_seconds
            and (since is None or since.timestamp() < self._checked_at)
        ):
            return kept[1]
        version = await self.version() if self.version is not None else None
        if kept is None or self.version is None or kept[0] != version:
            kept = (version, await self.read())
        self._kept = kept
        self._checked_at, self._checked_changes = started, changes
        return kept[1]
