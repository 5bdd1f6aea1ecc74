"""Rules engine throughput and trigger-to-email delay on PostgreSQL + Redis.

A fresh PostgreSQL database (`bench_engine`, dropped and recreated), 100 active event rules
of which about 5 % match the contacts (subject contains "refund": tag + email to the
customer), the others never do. Then:

1. throughput: CONTACTS inbound contacts written with no worker running (2 events each:
   ticket.created, which the rules listen to, and customer.created, which none does; the
   opening message raises no message.received), then one `servicedesk worker
   --workers 1` process started: events/s from its start until every event is sent;
2. delay: with the worker running, contacts posted at RATE/s for SECONDS; for each
   matching one, the time from the contact's commit to the rule's email at a local SMTP
   server (aiosmtpd): p50 / p95.

    python bench/automation.py                  # 5,000 contacts = 10,000 events
    python bench/automation.py --contacts 500 --seconds 5   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

# Run as `python bench/automation.py`: its folder comes first on the path, where this file
# would shadow the `automation` package; the repository root takes its place.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))
from tests.processes import stop_process  # noqa: E402
from tests.smtp import SmtpServer  # noqa: E402

PG_ADMIN = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
# Names of its own, so two people benchmarking on one machine do not share a database.
DATABASE = os.environ.get("BENCH_DATABASE", "bench_engine")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
QUEUE_NAME = os.environ.get("BENCH_QUEUE_NAME", "bench-automation")


def prepare_environment(smtp: SmtpServer) -> None:
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        QUEUE_URL=REDIS_URL,
        QUEUE_NAME=QUEUE_NAME,
        SMTP_URL=smtp.url,
        SECRET_KEY="bench-secret",
    )
    subprocess.run(["dropdb", *PG_ADMIN, "--if-exists", DATABASE], check=True)
    subprocess.run(["createdb", *PG_ADMIN, DATABASE], check=True)
    subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", "migrate"], check=True, capture_output=True
    )


def rules(count: int, matching: int) -> list[dict]:
    found = []
    for n in range(count):
        matches = n < matching
        found.append(
            {
                "name": f"bench rule {n}",
                "position": n,
                "trigger": {"events": ["ticket.created", "message.received"]},
                "conditions": {
                    "all": [
                        {
                            "field": "ticket.subject",
                            "op": "contains",
                            "value": "refund" if matches else f"never-{n}",
                        }
                    ]
                },
                "actions": (
                    [
                        {"type": "add_tags", "value": [f"r{n}"]},
                        {
                            "type": "email_customer",
                            "subject": "Refund {{ ticket.id }}",
                            "body": "We are on it.",
                        },
                    ]
                    if matches
                    else [{"type": "add_tags", "value": ["never"]}]
                ),
            }
        )
    return found


async def contact(n: int, refund: bool) -> int:
    from servicedesk.customers.service import ContactIdentity
    from servicedesk.tickets import service as tickets

    ticket_id, _ = await tickets.receive_contact(
        contact=tickets.Contact(
            channel="email",
            identity=ContactIdentity(email=f"c{n}@bench.example"),
            subject=f"{'refund' if refund else 'question'} {n}",
            body="hello",
        )
    )
    return ticket_id


async def pending_events() -> int:
    from servicedesk.outbox.tables import OutboxMessage

    return await OutboxMessage.count().where(
        OutboxMessage.kind == "event", OutboxMessage.status != "sent"
    )


async def delivery_span() -> tuple[datetime, datetime]:
    """When the worker marked the first and the last event delivered."""
    from piccolo.query.functions.aggregate import Max, Min

    from servicedesk.outbox.tables import OutboxMessage

    row = await (
        OutboxMessage.select(
            Min(OutboxMessage.sent_at, alias="first"), Max(OutboxMessage.sent_at, alias="last")
        )
        .where(OutboxMessage.kind == "event")
        .first()
    )
    assert row is not None
    return row["first"], row["last"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def database_cpu() -> dict[int, float]:
    """CPU so far of each PostgreSQL backend serving the bench database."""
    from servicedesk.outbox.tables import OutboxMessage

    rows = await OutboxMessage.raw(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    )
    return {int(row["pid"]): cpu_seconds(int(row["pid"])) for row in rows}


# The baseline of the same run: the outbox's own protocol by hand-written SQL, with no
# consumer. A page of 100 claimed (UPDATE ... RETURNING the rows) and marked sent, one
# connection, as fast as it goes: what draining these events costs at the least.
_BARE_CLAIM = (
    "UPDATE outbox_message SET status = 'sending', attempts = attempts + 1"
    " WHERE id IN (SELECT id FROM outbox_message WHERE status = 'pending' AND kind = 'event'"
    " ORDER BY id LIMIT 100) RETURNING *"
)
_BARE_SENT = "UPDATE outbox_message SET status = 'sent', sent_at = now() WHERE id = ANY($1)"


async def bare_drain(event_ids: list[int]) -> tuple[float, float]:
    """The events of the throughput run put back in line (the table vacuumed first, as
    autovacuum would have) and drained by _BARE_CLAIM / _BARE_SENT: their seconds and
    PostgreSQL's CPU seconds."""
    import asyncpg

    connection = await asyncpg.connect(f"postgres://postgres@127.0.0.1:5432/{DATABASE}")
    try:
        await connection.execute("VACUUM outbox_message")
        await connection.execute(
            "UPDATE outbox_message SET status = 'pending' WHERE id = ANY($1)", event_ids
        )
        await connection.execute("VACUUM ANALYZE outbox_message")
        backend = await connection.fetchval("SELECT pg_backend_pid()")
        cpu_before = cpu_seconds(backend)
        started = time.perf_counter()
        while rows := await connection.fetch(_BARE_CLAIM):
            await connection.execute(_BARE_SENT, [row["id"] for row in rows])
        return time.perf_counter() - started, cpu_seconds(backend) - cpu_before
    finally:
        await connection.close()


async def event_ids() -> list[int]:
    from servicedesk.outbox.tables import OutboxMessage

    rows = await OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.kind == "event")
    return [row["id"] for row in rows]


def start_worker(log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "servicedesk.cli", "worker", "--workers", "1"],
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def main(args: argparse.Namespace) -> None:
    smtp = SmtpServer()
    smtp.start()
    prepare_environment(smtp)  # before the first import reads the settings
    from automation.rules import service
    from servicedesk import db
    from servicedesk.queue import huey

    huey.flush()
    await db.start_pool()
    worker = None
    try:
        await service.import_rules(rules=rules(100, 5))
        started = time.perf_counter()
        for n in range(args.contacts):
            await contact(n, refund=n % 20 == 0)
        written = time.perf_counter() - started
        events = await pending_events()
        backlog = await event_ids()
        print(f"{args.contacts} contacts ({events} events) written in {written:.1f} s")
        log = Path("var/bench-automation-worker.log")
        log.parent.mkdir(exist_ok=True)
        pg_before = await database_cpu()
        started = time.perf_counter()
        worker = start_worker(log)
        while await pending_events():
            await asyncio.sleep(0.05)
            assert worker.poll() is None, log.read_text()[-2000:]
        elapsed = time.perf_counter() - started
        worker_cpu = cpu_seconds(worker.pid)
        pg_cpu = sum(t - pg_before.get(pid, 0.0) for pid, t in (await database_cpu()).items())
        print(
            f"throughput: {events / elapsed:.0f} events/s with one worker thread "
            f"({elapsed:.1f} s, worker start-up included); CPU per event: worker "
            f"{worker_cpu / events * 1000:.2f} ms, PostgreSQL {pg_cpu / events * 1000:.2f} ms"
        )
        throughput = events / elapsed
        first, last = await delivery_span()
        print(
            f"without start-up: {events / (last - first).total_seconds():.0f} events/s "
            f"(from the first event delivered to the last, {(last - first).total_seconds():.1f} s)"
        )

        while len(smtp.about("Refund")) < args.contacts // 20:
            await asyncio.sleep(0.2)
        sent_at: dict[int, float] = {}
        base = args.contacts
        period = 1 / args.rate
        stop = time.perf_counter() + args.seconds
        n = base
        while time.perf_counter() < stop:
            refund = n % 20 == 0
            ticket_id = await contact(n, refund=refund)
            if refund:
                sent_at[ticket_id] = time.time()
            n += 1
            await asyncio.sleep(period)
        deadline = time.perf_counter() + 30
        delays: dict[int, float] = {}
        while len(delays) < len(sent_at) and time.perf_counter() < deadline:
            for received in smtp.received:
                ticket_id = int(str(received.message["Subject"]).split()[-1])
                if ticket_id in sent_at:
                    # The first of the rules' emails for the ticket (5 rules match it).
                    delay = received.at - sent_at[ticket_id]
                    delays[ticket_id] = min(delays.get(ticket_id, delay), delay)
            await asyncio.sleep(0.1)
        values = sorted(delays.values())
        if len(values) >= 2:
            q = statistics.quantiles(values, n=20)
            print(
                f"trigger-to-email delay over {len(values)} emails: "
                f"p50 {statistics.median(values) * 1000:.0f} ms, p95 {q[18] * 1000:.0f} ms"
            )
        print(f"emails missing: {len(sent_at) - len(delays)}")
        stop_process(worker)
        worker = None
        bare_seconds, bare_cpu = await bare_drain(backlog)
        bare = len(backlog) / bare_seconds
        print(
            f"baseline, the same {len(backlog)} events drained by hand-written SQL with no"
            f" consumer: {bare:.0f} events/s, PostgreSQL {bare_cpu / len(backlog) * 1000:.2f}"
            f" ms CPU per event; the worker ran at {throughput / bare:.2f}x of it"
        )
    finally:
        if worker is not None:
            stop_process(worker)
        await db.close_pool()
        smtp.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=20.0, help="contacts/s in the delay run")
    parser.add_argument("--seconds", type=float, default=20.0)
    asyncio.run(main(parser.parse_args()))
