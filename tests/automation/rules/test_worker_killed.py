"""A real `servicedesk worker` SIGKILLed in the middle of the rules' work, then restarted:
every event is processed, every rule applies once per ticket, and no rule email reaches
the SMTP server twice (Message-IDs counted at a real server).

The server keeps but does not confirm the messages after the 10th, so the worker is killed
while it waits for the server's answer: those messages are "unknown" afterwards (the server
may have them) and are not sent again by themselves."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from pathlib import Path

import pytest

from automation.rules import service as rules
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.settings import get_settings
from servicedesk.tickets import service as tickets
from tests.processes import stop_process
from tests.servicedesk.marketing.test_worker_killed import settled
from tests.servicedesk.outbox.test_mail import start_worker, wait_for
from tests.smtp import SmtpServer

from .helpers import contact, rule

TICKETS = 40
HELD_AFTER = 10


async def unfinished() -> int:
    return await OutboxMessage.count().where(OutboxMessage.status.is_in(["pending", "sending"]))


async def test_worker_killed_mid_batch_processes_every_event_once(
    smtp_server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from servicedesk.queue import huey

    huey.flush()
    # Claims a dead worker left are released after 2 s instead of 10 min.
    monkeypatch.setenv("OUTBOX_STALE_CLAIM_SECONDS", "2")
    get_settings.cache_clear()
    welcome = await rule(
        name="welcome",
        actions=[
            {"type": "add_tags", "value": ["welcomed"]},
            {
                "type": "email_customer",
                "subject": "We got it: {{ ticket.subject }}",
                "body": "Hello {{ customer.email }}",
            },
        ],
    )
    ids = [await contact(email=f"c{n}@mail.example", subject=f"Case {n}") for n in range(TICKETS)]
    smtp_server.hold_after(HELD_AFTER)
    log_path = tmp_path / "worker.log"
    worker = start_worker(log_path)
    try:

        async def holding() -> bool:
            return len(smtp_server.received) > HELD_AFTER

        assert await wait_for(holding, seconds=90), log_path.read_text()
        held = await settled(lambda: len(smtp_server.received), seconds=1.5, timeout=30)
        assert held > HELD_AFTER, log_path.read_text()
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        smtp_server.release()
        assert await unfinished() > 0, "the kill left nothing half done; hold the server earlier"
        await asyncio.sleep(2.5)  # the dead worker's claims go stale
        worker = start_worker(log_path)
        assert await wait_for(_done, seconds=120), log_path.read_text()
    finally:
        smtp_server.release()
        stop_process(worker)

    ids_sent = Counter(str(m["Message-ID"]) for m in smtp_server.about("We got it"))
    assert max(ids_sent.values()) == 1, [i for i, n in ids_sent.items() if n > 1]
    unknown = await OutboxMessage.count().where(
        OutboxMessage.kind == "email", OutboxMessage.status == "unknown"
    )
    # The messages the server had but never confirmed are "unknown", never re-sent.
    assert unknown == held - HELD_AFTER
    assert len(ids_sent) == TICKETS  # the unknown ones reached the server too, once
    runs = await rules.runs(rule_id=welcome["id"], limit=1000)
    assert sorted(r["ticket_id"] for r in runs) == ids
    for ticket_id in ids:
        assert (await tickets.get_ticket(ticket_id=ticket_id))["tags"] == ["welcomed"]


async def _done() -> bool:
    return await unfinished() == 0
