"""The campaign of test_exactly_once delivered by a real `servicedesk worker` that is
SIGKILLed mid-send and started again: still exactly one email per reachable customer.

The SMTP server keeps but does not confirm the messages after the 200th, so the worker is
killed while it waits for the server's 250 to messages the server already has: the
classic duplicate of marketing tools, had the restarted worker sent them again."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import httpx
import pytest

from servicedesk.outbox.tables import OutboxMessage
from servicedesk.settings import get_settings
from tests.processes import stop_process
from tests.servicedesk.outbox.test_mail import start_worker
from tests.smtp import SmtpServer

from .conftest import create_campaign, create_segment, report, send
from .test_exactly_once import expected_addresses, population, received_per_address

HELD_AFTER = 200


async def settled(count: callable, seconds: float, timeout: float, above: int = -1) -> int:  # type: ignore[valid-type]
    """Waits until count() is above `above` and has stayed the same for `seconds`; returns
    it. (A worker that starts slowly on a loaded machine delivers nothing for a while: that
    is not "settled".)"""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last, since = -1, loop.time()
    while loop.time() < deadline:
        now_count = count()
        if now_count != last or now_count <= above:
            last, since = now_count, loop.time()
        elif loop.time() - since >= seconds:
            return last
        await asyncio.sleep(0.1)
    return last


async def unfinished() -> int:
    return await OutboxMessage.count().where(
        OutboxMessage.topic == "campaign", OutboxMessage.status.is_in(["pending", "sending"])
    )


async def test_worker_killed_mid_send_and_restarted_sends_nobody_twice(
    lead_client: httpx.AsyncClient,
    smtp_server: SmtpServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from servicedesk.queue import huey

    huey.flush()  # tasks of earlier tests (and a Redis queue outlives test runs)
    # Claims a dead worker left are released after 2 s instead of 10 min.
    monkeypatch.setenv("OUTBOX_STALE_CLAIM_SECONDS", "2")
    monkeypatch.setenv("SMTP_BATCH_SIZE", "50")
    get_settings.cache_clear()
    await population(tmp_path, smtp_server)
    campaign_id = await create_campaign(lead_client, await create_segment(lead_client))
    smtp_server.hold_after(HELD_AFTER)
    log_path = tmp_path / "worker.log"
    worker = start_worker(log_path)
    try:
        assert (await send(lead_client, campaign_id))["queued"] == 650
        held = await settled(
            lambda: len(smtp_server.received), seconds=1.5, timeout=90, above=HELD_AFTER
        )
        # One message in flight per SMTP connection of each of the worker's two threads.
        in_flight = 2 * get_settings().smtp_connections
        assert HELD_AFTER < held <= HELD_AFTER + in_flight, log_path.read_text()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        smtp_server.release()
        assert await unfinished() > 0  # the kill did leave work half done
        await asyncio.sleep(2.5)  # the dead worker's claims go stale
        worker = start_worker(log_path)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 120
        while await unfinished() and loop.time() < deadline:
            await asyncio.sleep(0.3)
        assert await unfinished() == 0, log_path.read_text()
        assert worker.poll() is None, log_path.read_text()
    finally:
        smtp_server.release()
        stop_process(worker)

    per_address = received_per_address(smtp_server)
    assert set(per_address) == expected_addresses()
    assert set(per_address.values()) == {1}, [a for a, n in per_address.items() if n > 1]
    figures = await report(lead_client, campaign_id)
    assert figures["recipients"] == 650 and figures["bounced"] == 10
    # The messages the server had but never confirmed are "unknown": not sent again.
    assert figures["unknown"] == held - HELD_AFTER
    assert figures["sent"] + figures["unknown"] == 640
