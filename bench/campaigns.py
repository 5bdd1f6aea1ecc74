"""A campaign to many recipients on PostgreSQL + Redis, delivered to a local SMTP sink:
time to queue, and emails/s of one `servicedesk worker`.

    python bench/campaigns.py                        # 100,000 customers
    python bench/campaigns.py --customers 10000 --worker-threads 1

Drops and recreates the PostgreSQL database `bench_campaigns` (`--pg-database`), runs
`servicedesk migrate`, imports the customers (all with marketing consent) through the
importer, saves a segment matching them all and a campaign, then times
`campaigns.send_campaign` (every recipient row and outbox email written: "queued"). The
kicker hands the rows to the Redis queue (db 12, flushed before and after) as they commit.
Then one `servicedesk worker` starts and the time until every campaign email is `sent` at
the SMTP sink gives emails/s. The sink (aiosmtpd, in this process) only counts messages.
Loopback only; the sink, PostgreSQL and the worker share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Run as `python bench/campaigns.py`: the repository root is not on the path by itself,
# and this folder is, where bench/automation.py would shadow the `automation` package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

PG_ADMIN = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
REDIS_URL = "redis://127.0.0.1:6379/12"


class CountingSink:
    """aiosmtpd handler that accepts and counts messages, keeping nothing."""

    def __init__(self) -> None:
        self.count = 0
        self.recipients: set[str] = set()
        self.duplicates = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.recipients:
                self.duplicates += 1
            self.recipients.add(rcpt)
        return "250 OK"


def servicedesk_bin() -> str:
    found = Path(sys.executable).with_name("servicedesk")
    return str(found) if found.exists() else "servicedesk"


def fresh_database(name: str) -> str:
    subprocess.run(["dropdb", *PG_ADMIN, "--if-exists", name], check=True)
    subprocess.run(["createdb", *PG_ADMIN, name], check=True)
    return f"postgres://postgres@127.0.0.1:5432/{name}"


async def prepare(customers: int, tmp: Path) -> int:
    """Customers with consent, a segment of them all and a campaign; returns its id."""
    from servicedesk.actors import SYSTEM
    from servicedesk.clock import utcnow
    from servicedesk.imports.service import import_file
    from servicedesk.marketing import campaigns, service
    from servicedesk.marketing.schemas import Conditions

    path = tmp / "customers.jsonl"
    with path.open("w") as out:
        for n in range(customers):
            line = {
                "type": "customer",
                "external_id": f"b{n}",
                "email": f"b{n}@sink.example",
                "name": f"Bench Customer {n}",
                "marketing_consent": True,
            }
            out.write(json.dumps(line) + "\n")
    started = time.perf_counter()
    report = await import_file(path)
    assert not report.rejected, report.rejected[:3]
    print(f"imported {customers} customers in {time.perf_counter() - started:.1f} s")
    everyone = Conditions.model_validate(
        {"all": [{"field": "customer.marketing_consent", "op": "is", "value": True}]}
    )
    segment_id = await service.create_segment(
        name="Bench", conditions=everyone, actor=SYSTEM, now=utcnow()
    )
    return await campaigns.create_campaign(
        name="Bench",
        segment_id=segment_id,
        subject="Hello {{ customer.first_name }}",
        body="Dear {{ customer.name }}, this is the bench campaign.",
        send_at=None,
        actor=SYSTEM,
        now=utcnow(),
    )


async def queue(campaign_id: int) -> tuple[dict[str, int], float]:
    from servicedesk.actors import SYSTEM
    from servicedesk.clock import utcnow
    from servicedesk.marketing import campaigns

    started = time.perf_counter()
    counts = await campaigns.send_campaign(campaign_id=campaign_id, actor=SYSTEM, now=utcnow())
    return counts, time.perf_counter() - started


async def unsent() -> int:
    from servicedesk.outbox.tables import OutboxMessage

    return await OutboxMessage.count().where(
        OutboxMessage.topic == "campaign", OutboxMessage.status != "sent"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--worker-threads", type=int, default=1)
    parser.add_argument("--pg-database", default="bench_campaigns")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    from tests.smtp import free_port

    sink = CountingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-campaigns-"))
    os.environ.update(
        {
            "DATABASE_URL": fresh_database(args.pg_database),
            "QUEUE_URL": REDIS_URL,
            "QUEUE_NAME": "bench-campaigns",
            "SMTP_URL": f"smtp://127.0.0.1:{port}",
            "SECRET_KEY": "bench-secret",
        }
    )
    subprocess.run([servicedesk_bin(), "migrate"], check=True, capture_output=True)

    from servicedesk import db
    from servicedesk.queue import huey

    huey.flush()
    await db.start_pool()
    worker = None
    try:
        campaign_id = await prepare(args.customers, tmp)
        counts, queue_seconds = await queue(campaign_id)
        print(f"queued {counts['queued']} emails in {queue_seconds:.1f} s ({counts})")
        started = time.perf_counter()
        worker = subprocess.Popen(
            [servicedesk_bin(), "worker", "--workers", str(args.worker_threads)],
            env=dict(os.environ),
            stdout=(tmp / "worker.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        while await unsent() and time.perf_counter() - started < args.timeout:
            await asyncio.sleep(1)
        elapsed = time.perf_counter() - started
        left = await unsent()
        print(
            f"delivered {sink.count} emails in {elapsed:.1f} s: {sink.count / elapsed:.0f} emails/s"
            f" with one worker ({args.worker_threads} thread(s)); {left} not sent,"
            f" {sink.duplicates} duplicates at the sink"
        )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        await db.close_pool()
        huey.flush()
        controller.stop()


if __name__ == "__main__":
    asyncio.run(main())
