"""History import from JSON Lines: validate the whole file, then replay it through the
same ticket services as live traffic, at each event's own timestamp, quietly.

- reading.py: the lines of a file, and the report;
- validation.py: the whole file checked before anything is written;
- replay.py: the lines applied through the services, a batch per unit of work;
- this module: the passes over the file, in one process or several.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import queue
import zlib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TextIO, get_args

from pydantic import BaseModel

from servicedesk.customers.tables import Customer, CustomerIdentity
from servicedesk.cx.tables import TicketMetrics
from servicedesk.db import is_sqlite
from servicedesk.tickets.tables import Ticket, TicketTag

from .reading import ImportReport, read_lines
from .replay import Lookups, apply_batch
from .schemas import (
    AgentLine,
    CesLine,
    CustomerLine,
    NpsLine,
    TicketLine,
)
from .validation import validate

__all__ = ["ImportReport", "dumps", "import_file", "validate"]

BATCH_LINES = 500
Progress = Callable[[int], None]


async def import_file(
    path: Path,
    *,
    skip_invalid: bool = False,
    reject_path: Path | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> ImportReport:
    """Imports a history file. Nothing is written if any line is bad, unless skip_invalid,
    in which case the good lines are imported and the bad ones copied to reject_path.

    `workers` > 1 (PostgreSQL only; SQLite has one writer) replays the tickets in that many
    processes, each taking the tickets of a share of the customers: a customer's tickets
    stay in file order in one process, and tickets of different customers never share a
    fact (repeat contacts are per customer). Ticket ids then follow the processes' progress,
    not the file order."""
    open_file: Callable[[], TextIO] = lambda: path.open(encoding="utf-8")  # noqa: E731
    lines, errors = await validate(open_file)
    report = ImportReport(
        lines=lines, rejected=[{"line": n, "reason": r} for n, r in sorted(errors.items())]
    )
    if errors and not skip_invalid:
        return report
    if errors and reject_path:
        with open_file() as handle, reject_path.open("w", encoding="utf-8") as rejects:
            for number, raw in enumerate(handle, start=1):
                if number in errors:
                    rejects.write(raw if raw.endswith("\n") else raw + "\n")
    # People first (their lines may come after the tickets that name them), then history.
    await _pass(open_file, (AgentLine, CustomerLine), errors, report, progress)
    if workers > 1 and not is_sqlite():
        await _tickets_in_processes(path, errors, report, progress, workers, lines)
    else:
        await _pass(open_file, (TicketLine,), errors, report, progress)
    # Answers last: a CES answer may name a ticket further down the file.
    await _pass(open_file, (NpsLine, CesLine), errors, report)
    return report


async def _pass(
    open_file: Callable[[], TextIO],
    wanted: tuple[type[BaseModel], ...],
    errors: Collection[int],
    report: ImportReport,
    progress: Progress | None = None,
    share: tuple[int, int] = (0, 1),
) -> None:
    """Applies the good lines of the `wanted` types in batches; with `share` (k, n) only
    the tickets of the customers that fall to process k of n."""
    types = tuple(get_args(kind.model_fields["type"].annotation)[0] for kind in wanted)
    lookups = Lookups()
    batches = 0
    with open_file() as handle:
        batch: list[Any] = []
        for number, _, line, _error in read_lines(handle, types):
            if (
                number not in errors
                and isinstance(line, wanted)
                and (
                    share[1] == 1 or _share_of(getattr(line, "customer", ""), share[1]) == share[0]
                )
            ):
                batch.append(line)
            if len(batch) >= BATCH_LINES:
                await apply_batch(batch, report, lookups)
                batch, batches = [], batches + 1
                if share[0] == 0:  # one process is enough
                    await _analyze_growing_tables(batches)
            if progress:
                progress(number)
        await apply_batch(batch, report, lookups)
    await _analyze_growing_tables(0)


GROWING_TABLES = (Customer, CustomerIdentity, Ticket, TicketMetrics, TicketTag)


async def _analyze_growing_tables(batches: int) -> None:
    """ANALYZE the tables the import fills, after batch 1, 2, 4, 8, ... 64 and every 64th
    (0: now), on PostgreSQL. Without fresh statistics (autovacuum may be off, or behind a
    bulk load) the planner goes on scanning whole tables for the batch look-ups, and the
    import slows down as the tables grow."""
    if is_sqlite() or (batches and batches & (batches - 1) and batches % 64):
        return
    names = ", ".join(table._meta.tablename for table in GROWING_TABLES)
    await Ticket.raw(f"ANALYZE {names}")


def _share_of(customer: str, shares: int) -> int:
    return zlib.crc32(customer.encode()) % shares  # stable across processes, unlike hash()


async def _tickets_in_processes(
    path: Path,
    errors: Collection[int],
    report: ImportReport,
    progress: Progress | None,
    n: int,
    lines: int,
) -> None:
    """The ticket lines in `n` processes (see import_file), each with its own connections;
    reports each line to `progress` once every process has passed it."""
    context = multiprocessing.get_context("spawn")  # no fork of a live event loop and pool
    positions: Any = context.Array("q", n)
    results: Any = context.Queue()
    processes = [
        context.Process(target=_ticket_worker, args=(path, set(errors), k, n, positions, results))
        for k in range(n)
    ]
    for process in processes:
        process.start()
    reported = 0
    done: list[tuple[dict[str, int], int, str | None]] = []
    while len(done) < n:
        ended = not any(process.is_alive() for process in processes)
        while not results.empty() or (ended and len(done) < n):
            try:
                done.append(results.get(timeout=1))
            except queue.Empty:  # every process ended, one without a word
                done.append(({}, 0, "an import process ended without reporting"))
        if progress:
            passed = min(min(positions), lines)
            for number in range(reported + 1, passed + 1):
                progress(number)
            reported = max(reported, passed)
        await asyncio.sleep(0.1)
    for process in processes:
        process.join()
    failures = [failure for _, _, failure in done if failure]
    if failures:
        raise RuntimeError(f"import worker failed: {failures[0]}")
    for imported, unchanged, _ in done:
        for what, count in imported.items():
            report.imported[what] = report.imported.get(what, 0) + count
        report.unchanged += unchanged


def _ticket_worker(
    path: Path, errors: set[int], k: int, n: int, positions: Any, results: Any
) -> None:
    """One import process: the tickets of its share of the customers."""
    from servicedesk import db

    async def work() -> None:
        await db.start_pool()
        try:
            report = ImportReport()

            def progress(number: int) -> None:
                positions[k] = number

            await _pass(
                lambda: path.open(encoding="utf-8"), (TicketLine,), errors, report, progress, (k, n)
            )
            positions[k] = 1 << 62  # done: no longer holds the others' progress back
            results.put((report.imported, report.unchanged, None))
        finally:
            await db.close_pool()

    try:
        asyncio.run(work())
    except Exception as exc:  # reported to the parent, which fails the import
        results.put(({}, 0, f"{type(exc).__name__}: {exc}"))


def dumps(report: ImportReport) -> str:
    return json.dumps(report.as_dict(), indent=1)
