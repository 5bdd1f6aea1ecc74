"""The outbox's backlog per kind (GET /api/outbox/backlog): what should have gone by now,
what is scheduled for later, what an admin must look at; leads and admins only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import httpx

from servicedesk.clock import utcnow
from servicedesk.outbox import service as outbox
from servicedesk.outbox.tasks import deliver_due
from servicedesk.settings import get_settings
from tests.smtp import SmtpServer


async def test_the_backlog_counts_due_scheduled_failed_and_unknown_rows_per_kind(
    lead_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    now = utcnow()
    # Delivered: not in the backlog.
    await outbox.emit_event(topic="done", payload={}, ticket_id=None, now=now - timedelta(hours=1))
    assert await deliver_due(now=now - timedelta(hours=1)) == {"sent": 1}
    # Two events the worker has not taken yet, the older due 5 minutes ago.
    oldest = now - timedelta(minutes=5)
    await outbox.emit_event(topic="waiting", payload={}, ticket_id=None, now=oldest)
    await outbox.emit_event(topic="waiting", payload={}, ticket_id=None, now=now)
    # An email due in an hour, and one that reached the SMTP server as the worker died.
    later = outbox.Email(to="ann@mail.example", subject="Later", body="hi")
    later.not_before = now + timedelta(hours=1)
    await outbox.queue_emails([later], now=now)
    [handed] = await outbox.queue_emails_with_ids(
        [outbox.Email(to="bob@mail.example", subject="Lost", body="hi")], now=now
    )
    await outbox.claim_many(outbox_ids=[handed], now=now)
    await outbox.mark_unknown(outbox_id=handed, error="connection dropped")
    # A webhook post out of attempts, and one being posted.
    failed, posting = [
        await outbox.queue_message(kind="webhook", topic="t", payload={}, ticket_id=None, now=now)
        for _ in range(2)
    ]
    await outbox.claim_many(outbox_ids=[failed, posting], now=now)
    await outbox.mark_attempt_failed(
        outbox_id=failed, attempts=get_settings().mail_max_attempts, error="503", now=now
    )

    answer = await lead_client.get("/api/outbox/backlog")
    assert answer.status_code == 200, answer.text
    kinds = {k["kind"]: k for k in answer.json()["kinds"]}
    assert list(kinds) == ["event", "email", "webhook", "channel"]
    counts = {
        kind: (k["due"], k["scheduled"], k["failed"], k["unknown"]) for kind, k in kinds.items()
    }
    assert counts == {
        "event": (2, 0, 0, 0),
        "email": (0, 1, 0, 1),
        "webhook": (1, 0, 1, 0),
        "channel": (0, 0, 0, 0),
    }
    oldest_due = datetime.fromisoformat(kinds["event"]["oldest_due_at"].replace("Z", "+00:00"))
    assert abs((oldest_due - oldest).total_seconds()) < 1
    assert kinds["email"]["oldest_due_at"] is None


async def test_agents_do_not_see_the_backlog(agent_client: httpx.AsyncClient) -> None:
    assert (await agent_client.get("/api/outbox/backlog")).status_code == 403


def outbox_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`servicedesk outbox ARGS` in a process of its own, with this run's environment."""
    return subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", "outbox", *args],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_backlog_command_fails_a_monitoring_check_when_rows_wait_too_long() -> None:
    due = utcnow() - timedelta(minutes=5)
    await outbox.emit_event(topic="waiting", payload={}, ticket_id=None, now=due)
    late = outbox_cli("backlog", "--format", "json")
    assert late.returncode == 2, late.stderr
    answer = json.loads(late.stdout)
    assert answer["late"] == ["event"]
    [events] = [k for k in answer["kinds"] if k["kind"] == "event"]
    assert events["due"] == 1
    assert events["oldest_due_at"] == due.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "is a worker running?" in late.stderr
    patient = outbox_cli("backlog", "--late-after", "3600")
    assert patient.returncode == 0, patient.stderr
    assert "event" in patient.stdout
