"""Importing a large history, then the CX report over a year of it.

Generates N tickets (default 1,000,000) in the import format over one year with
servicedesk.imports.demo.generate_history (streamed to a temp file, bounded memory), imports the
file through the real importer (servicedesk.imports.service.import_file, which replays
every event through the ticket services), then times cx_report(group_by=agent,channel)
over the year against a hand-written SQL aggregate over the same table, in the same run.

    python bench/reports.py                         # 1M tickets, SQLite then PostgreSQL
    python bench/reports.py --engine postgres --tickets 100000
    python bench/reports.py --quick                 # 10k tickets, both engines
    python bench/reports.py --engine sqlite --sqlite-path /tmp/r.db --skip-import

Each engine runs in its own child process (the engine is chosen by DATABASE_URL when
servicedesk is imported). PostgreSQL uses the database `bench`, dropped and recreated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PG_ADMIN = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
PG_BASE = "postgres://postgres@127.0.0.1:5432/"
END = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 365
TARGETS = {
    "import": 600.0,  # seconds for 1M tickets on PostgreSQL
    "report": {"postgres": 1.0, "sqlite": 3.0},
    "ratio": 2.0,  # the report within 2x of the hand-written aggregate
}


def log(message: str) -> None:
    print(message, flush=True)


def generate(path: Path, tickets: int, customers: int, agents: int) -> tuple[int, float]:
    """Streams the history to `path` (one line at a time); returns (lines, seconds)."""
    from servicedesk.imports.demo import generate_history

    began = time.perf_counter()
    lines = 0
    with path.open("w", encoding="utf-8") as out:
        for line in generate_history(
            customers=customers, tickets=tickets, end=END, days=DAYS, agents=agents, seed=11
        ):
            out.write(json.dumps(line) + "\n")
            lines += 1
    return lines, time.perf_counter() - began


# Written by hand as an analyst would, over the same cohort: counts, rates' numerators,
# the mean, and (PostgreSQL only: SQLite has no percentile function) median and p90.
HAND_SQL = """
SELECT a.email AS agent, m.channel AS channel, COUNT(*) AS solved,
  SUM(CASE WHEN m.agent_public_replies >= 1 THEN 1 ELSE 0 END) AS eligible,
  SUM(CASE WHEN m.agent_public_replies >= 1 AND m.reopens = 0
      AND m.inbound_before_first_solve = 1 AND m.replies_before_first_solve <= 1
      AND m.repeat_contact_ticket IS NULL THEN 1 ELSE 0 END) AS fcr,
  AVG(m.full_resolution_minutes) AS mean_resolution,
  SUM(CASE WHEN m.rating >= 4 THEN 1 ELSE 0 END) AS satisfied,
  SUM(CASE WHEN m.rating IS NOT NULL THEN 1 ELSE 0 END) AS responses{percentiles}
FROM ticket_metrics m LEFT JOIN agent a ON a.id = m.agent
WHERE m.status IN ('solved', 'closed') AND m.last_solved_at >= {p1} AND m.last_solved_at < {p2}
GROUP BY a.email, m.channel ORDER BY a.email, m.channel
"""
PG_PERCENTILES = """,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY m.full_resolution_minutes) AS median_resolution,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY m.full_resolution_minutes) AS p90_resolution,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY m.first_response_minutes) AS median_first,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY m.first_response_minutes) AS p90_first"""


def timed_best(loop: asyncio.AbstractEventLoop, runs: int, func: Any) -> tuple[float, float, Any]:
    """Runs an async callable `runs` times; returns (best, median, last result)."""
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = loop.run_until_complete(func())
        times.append(time.perf_counter() - began)
    return min(times), statistics.median(times), result


def _backend_cpu(pid: int) -> float:
    """User + system CPU seconds of a local PostgreSQL backend process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_best(loop: asyncio.AbstractEventLoop, runs: int, engine: str, func: Any) -> float:
    """Least CPU seconds of `runs` runs, a figure the other load on the machine hardly moves.
    SQLite: this process (the driver's thread included). PostgreSQL: the server backend, on
    one connection with parallel workers off (their CPU would not be counted)."""
    from servicedesk.cx.tables import TicketMetrics
    from servicedesk.db import get_engine

    async def serial() -> float:
        async with get_engine().transaction():
            pid = (await TicketMetrics.raw("SELECT pg_backend_pid() AS pid"))[0]["pid"]
            await TicketMetrics.raw("SET LOCAL max_parallel_workers_per_gather = 0")
            began = _backend_cpu(pid)
            await func()
            return _backend_cpu(pid) - began

    async def in_process() -> float:
        began = time.process_time()
        await func()
        return time.process_time() - began

    measure = serial if engine == "postgres" else in_process
    return min(loop.run_until_complete(measure()) for _ in range(runs))


async def _scale_up(target: int) -> tuple[int, float]:
    """Copies the imported tickets and their metric facts (same times, agents, channels;
    new ids, no external id) until ticket_metrics has about `target` rows. Synthetic: it
    lets the report be timed at a size the importer could not reach in the time we had.
    Returns (rows, seconds)."""
    from servicedesk.cx.tables import TicketMetrics
    from servicedesk.db import is_sqlite
    from servicedesk.tickets.tables import Ticket

    began = time.perf_counter()
    raw = TicketMetrics.raw
    top = int((await raw("SELECT MAX(id) AS n FROM ticket"))[0]["n"])
    have = int((await raw("SELECT COUNT(*) AS n FROM ticket_metrics"))[0]["n"])
    ticket_cols = [c._meta.db_column_name for c in Ticket._meta.columns]
    metric_cols = [
        c._meta.db_column_name for c in TicketMetrics._meta.columns if c._meta.name != "id"
    ]
    for copy in range(1, max(1, -(-target // have))):
        shift = copy * top
        ticket_values = [
            f"id + {shift}" if c == "id" else "NULL" if c in ("external_id", "follow_up_of") else c
            for c in ticket_cols
        ]
        metric_values = [
            f"{c} + {shift}" if c in ("ticket", "repeat_contact_ticket") else c for c in metric_cols
        ]
        await raw(
            f"INSERT INTO ticket ({', '.join(ticket_cols)}) SELECT {', '.join(ticket_values)}"
            f" FROM ticket WHERE id <= {top}"
        )
        await raw(
            f"INSERT INTO ticket_metrics ({', '.join(metric_cols)})"
            f" SELECT {', '.join(metric_values)} FROM ticket_metrics WHERE ticket <= {top}"
        )
    if not is_sqlite():
        await raw(
            "SELECT setval(pg_get_serial_sequence('ticket', 'id'), (SELECT MAX(id) FROM ticket))"
        )
    rows = int((await raw("SELECT COUNT(*) AS n FROM ticket_metrics"))[0]["n"])
    return rows, time.perf_counter() - began


async def _import(path: Path, workers: int) -> dict[str, Any]:
    from servicedesk.imports.service import import_file

    report = await import_file(path, workers=workers)
    return report.as_dict()


def postgres_cpu() -> float:
    """CPU seconds of every `postgres` process on this machine (other users' too), with
    the ended backends' CPU that the postmaster has reaped (cutime, cstime)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                ticks = sum(int(value) for value in fields[11:15])
                total += ticks / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return total


def child(args: argparse.Namespace) -> None:
    """One engine, in its own process (DATABASE_URL is set by the parent)."""
    from servicedesk import db
    from servicedesk.cx.reports import cx_report
    from servicedesk.cx.tables import TicketMetrics

    engine = args.engine
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(db.start_pool())
    try:
        if not args.skip_import:
            path = Path(args.history)
            load = os.getloadavg()[0]
            began, cpu, pg = time.perf_counter(), os.times(), postgres_cpu()
            report = loop.run_until_complete(_import(path, args.import_workers))
            seconds = time.perf_counter() - began
            after = os.times()
            cpu_ms = (
                (
                    after.user
                    + after.system
                    + after.children_user
                    + after.children_system
                    - (cpu.user + cpu.system + cpu.children_user + cpu.children_system)
                )
                * 1000
                / args.tickets
            )
            pg_ms = (postgres_cpu() - pg) * 1000 / args.tickets
            assert not report["rejected"], report["rejected"][:5]
            rate = args.tickets / seconds
            log(
                f"[{engine}] import of {args.tickets:,} tickets, {args.import_workers} worker(s):"
                f" {seconds:.1f} s ({rate:,.0f} tickets/s, {1000 / rate:.2f} ms/ticket)"
                f" {report['imported']}"
            )
            log(
                f"[{engine}]   CPU per ticket: importer {cpu_ms:.2f} ms, all postgres processes"
                f" {pg_ms:.2f} ms; load average {load:.1f} before, {os.getloadavg()[0]:.1f} after"
            )
            peak = max(
                resource.getrusage(who).ru_maxrss
                for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
            )
            log(f"[{engine}]   peak memory of one importer process: {peak / 1024:.0f} MB")
            if args.tickets < 1_000_000:
                log(
                    f"[{engine}]   linear extrapolation to 1,000,000 tickets: "
                    f"{1_000_000 / rate / 60:.1f} min (target {TARGETS['import'] / 60:.0f} min on"
                    " PostgreSQL); an extrapolation, not a measurement"
                )
        if args.scale_metrics:
            rows, seconds = loop.run_until_complete(_scale_up(args.scale_metrics))
            log(
                f"[{engine}] SYNTHETIC scale-up for the report timing: ticket and ticket_metrics"
                f" rows copied to {rows:,} metric rows in {seconds:.1f} s (not an import)"
            )
        start, end = END - timedelta(days=DAYS), END
        if engine == "postgres":
            loop.run_until_complete(TicketMetrics.raw("ANALYZE"))
        count = loop.run_until_complete(
            TicketMetrics.raw(
                "SELECT COUNT(*) AS n FROM ticket_metrics m WHERE m.status IN ('solved', 'closed')"
                " AND m.last_solved_at >= {} AND m.last_solved_at < {}",
                start,
                end,
            )
        )[0]["n"]
        sql = HAND_SQL.format(
            percentiles=PG_PERCENTILES if engine == "postgres" else "", p1="{}", p2="{}"
        )
        hand_best, hand_median, rows = timed_best(
            loop, args.runs, lambda: TicketMetrics.raw(sql, start, end)
        )
        report_best, report_median, result = timed_best(
            loop, args.runs, lambda: cx_report(start=start, end=end, group_by=["agent", "channel"])
        )
        assert len(result["rows"]) == len(rows), (len(result["rows"]), len(rows))
        hand_cpu = cpu_best(loop, args.runs, engine, lambda: TicketMetrics.raw(sql, start, end))
        report_cpu = cpu_best(
            loop,
            args.runs,
            engine,
            lambda: cx_report(start=start, end=end, group_by=["agent", "channel"]),
        )
        target = TARGETS["report"][engine]
        ratio = report_best / hand_best
        log(
            f"[{engine}] cohort of the year: {count:,} solved tickets, {len(rows)} agent x channel rows"
        )
        log(
            f"[{engine}] cx_report(agent,channel): best {report_best:.3f} s, median "
            f"{report_median:.3f} s of {args.runs} (target < {target:g} s: "
            f"{'met' if report_best < target else 'NOT met'})"
        )
        log(
            f"[{engine}] hand-written SQL aggregate: best {hand_best:.3f} s, median "
            f"{hand_median:.3f} s; report/hand = {ratio:.2f}x (target <= {TARGETS['ratio']:g}x: "
            f"{'met' if ratio <= TARGETS['ratio'] else 'NOT met'})"
        )
        log(
            f"[{engine}] CPU ({'server backend, no parallel workers' if engine == 'postgres' else 'this process'}):"
            f" cx_report {report_cpu:.3f} s, hand-written {hand_cpu:.3f} s,"
            f" report/hand = {report_cpu / hand_cpu:.2f}x; load average {os.getloadavg()[0]:.2f}"
        )
    finally:
        loop.run_until_complete(db.close_pool())
        loop.close()


def fresh_database(engine: str, args: argparse.Namespace, workdir: Path) -> str:
    if engine == "postgres":
        if not args.skip_import:
            subprocess.run(["dropdb", *PG_ADMIN, "--if-exists", args.pg_database], check=True)
            subprocess.run(["createdb", *PG_ADMIN, args.pg_database], check=True)
        return PG_BASE + args.pg_database
    path = Path(args.sqlite_path) if args.sqlite_path else workdir / "bench.db"
    if not args.skip_import:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=None, help="default: tickets / 5")
    parser.add_argument("--agents", type=int, default=None, help="default: tickets / 25k, >= 6")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each query (3)")
    parser.add_argument("--quick", action="store_true", help="10,000 tickets")
    parser.add_argument("--skip-import", action="store_true", help="reuse the loaded database")
    parser.add_argument(
        "--scale-metrics",
        type=int,
        default=0,
        help="after the import, copy the imported tickets' rows until ticket_metrics has this"
        " many rows, to time the report at a size the import did not reach (synthetic)",
    )
    parser.add_argument("--sqlite-path", default=None, help="keep the SQLite database here")
    parser.add_argument("--pg-database", default="bench")
    parser.add_argument(
        "--import-workers",
        type=int,
        default=os.cpu_count() or 1,
        help="import processes on PostgreSQL (default: one per CPU; SQLite always 1)",
    )
    parser.add_argument("--history", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.tickets = 10_000
    if args.child:
        child(args)
        return
    customers = args.customers or max(10, args.tickets // 5)
    agents = args.agents or max(6, args.tickets // 25_000)
    workdir = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        history = workdir / "history.jsonl"
        if not args.skip_import:
            lines, seconds = generate(history, args.tickets, customers, agents)
            size = history.stat().st_size / 1e6
            log(
                f"generated {args.tickets:,} tickets, {customers:,} customers, {agents} agents "
                f"({lines:,} lines, {size:,.0f} MB) in {seconds:.1f} s"
            )
        engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
        for engine in engines:
            env = {
                **os.environ,
                "DATABASE_URL": fresh_database(engine, args, workdir),
                "QUEUE_URL": f"sqlite:///{workdir}/queue.db",
                "SECRET_KEY": "bench-secret-key",
                "SMTP_URL": "",
            }
            if not args.skip_import:
                subprocess.run(
                    [str(Path(sys.executable).with_name("servicedesk")), "migrate"],
                    env=env,
                    cwd=workdir,
                    check=True,
                    capture_output=True,
                )
            command = [sys.executable, __file__, "--child", "--engine", engine]
            command += ["--tickets", str(args.tickets), "--runs", str(args.runs)]
            workers = args.import_workers if engine == "postgres" else 1
            command += ["--import-workers", str(workers)]
            command += ["--history", str(history)]
            if args.skip_import:
                command.append("--skip-import")
            if args.scale_metrics:
                command += ["--scale-metrics", str(args.scale_metrics)]
            subprocess.run(command, env=env, cwd=workdir, check=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
