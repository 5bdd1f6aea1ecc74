"""The SMTP and IMAP doors, as processes (`servicedesk mail listen`, `servicedesk mail poll`)
against a real SMTP client (smtplib) and a real Dovecot: a reply chain threads across all
three doors, and a poller killed between fetch and commit, or between commit and \\Seen,
loses nothing and duplicates nothing."""

from __future__ import annotations

import asyncio
import smtplib
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from servicedesk.channels.tables import InboundEmail
from servicedesk.settings import get_settings
from servicedesk.tickets.tables import Interaction, Ticket
from tests.dovecot import Dovecot
from tests.processes import stop_process

from .mail import compose, post_raw, running_listener

DESK = "support@desk.example"
CLI = [sys.executable, "-m", "servicedesk.cli", "mail"]


@pytest.fixture(autouse=True)
def mail_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INBOUND_ADDRESSES", f"{DESK}, help@desk.example")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def dovecot(monkeypatch: pytest.MonkeyPatch) -> Iterator[Dovecot]:
    server = Dovecot()
    server.start()
    monkeypatch.setenv("IMAP_MAILBOXES", server.url)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def listener() -> AsyncIterator[int]:
    async with running_listener() as port:
        yield port


def send_smtp(port: int, raw: bytes, to: str = DESK) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail("customer@mail.example", [to], raw)


def poll_once(**env: str) -> subprocess.CompletedProcess[bytes]:
    import os

    return subprocess.run(
        [*CLI, "poll", "--once"], env={**os.environ, **env}, capture_output=True, timeout=120
    )


async def test_a_reply_chain_threads_across_the_three_doors(
    admin_client: httpx.AsyncClient, listener: int, dovecot: Dovecot
) -> None:
    send_smtp(listener, compose(sender="carol@mail.example", subject="Order 7", body="Hi"))
    first = await InboundEmail.select().first()
    assert first and (first["door"], first["status"]) == ("smtp", "created")
    ticket_id = first["ticket"]
    reply = await admin_client.post(
        f"/api/tickets/{ticket_id}/messages", json={"body": "On its way", "public": True}
    )
    ours = reply.json()["message_id"]
    # IMAP: the customer answers our reply.
    dovecot.deliver(
        compose(sender="carol@mail.example", subject="Re: Order 7", body="Thx", in_reply_to=ours)
    )
    polled = poll_once()
    assert polled.returncode == 0, polled.stderr.decode()
    # HTTP: another answer, naming ours in References only.
    by_http = compose(
        sender="carol@mail.example", subject="Re: Order 7", body="And...", references=ours
    )
    assert (await post_raw(admin_client, by_http, 200)).json()["ticket_id"] == ticket_id
    # SMTP again: only the ticket number in the subject.
    send_smtp(
        listener,
        compose(sender="carol@mail.example", subject=f"[#{ticket_id}] last", body="Bye"),
        to="help@desk.example",
    )
    rows = await InboundEmail.select().order_by(InboundEmail.id)
    assert [(r["door"], r["status"], r["ticket"]) for r in rows] == [
        ("smtp", "created", ticket_id),
        ("imap", "threaded", ticket_id),
        ("http", "threaded", ticket_id),
        ("smtp", "threaded", ticket_id),
    ]
    assert await Ticket.count() == 1
    assert await Interaction.count().where(Interaction.ticket == ticket_id) == 5
    assert dovecot.flags() == ["1 (FLAGS (\\Seen))"]


async def test_the_listener_refuses_other_addresses_and_takes_a_duplicate_once(
    listener: int,
) -> None:
    raw = compose(sender="dan@mail.example", subject="Twice", body="same message")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send_smtp(listener, raw, to="someone-else@desk.example")
    send_smtp(listener, raw)
    send_smtp(listener, raw)  # a retry after a lost 250: accepted, and changes nothing
    assert await InboundEmail.count() == 1 and await Interaction.count() == 1


async def test_the_listener_speaks_lmtp_too() -> None:
    async with running_listener(lmtp=True) as port:
        with smtplib.LMTP("127.0.0.1", port) as client:
            refused = client.sendmail(
                "customer@mail.example",
                [DESK],
                compose(sender="gil@mail.example", subject="Via LMTP", body="hello"),
            )
    assert refused == {}
    row = await InboundEmail.select().first()
    assert row and (row["door"], row["status"], row["subject"]) == ("smtp", "created", "Via LMTP")


async def test_a_poller_crash_between_fetch_and_commit_loses_and_duplicates_nothing(
    dovecot: Dovecot,
) -> None:
    dovecot.deliver(compose(sender="eve@mail.example", subject="One", body="first"))
    dovecot.deliver(compose(sender="eve@mail.example", subject="Two", body="second"))
    # Killed right after fetching the first message: nothing recorded, nothing seen.
    crashed = poll_once(SERVICEDESK_CRASH_AT="imap-fetched")
    assert crashed.returncode == 70
    assert await InboundEmail.count() == 0
    assert dovecot.flags() == ["1 (FLAGS ())", "2 (FLAGS ())"]
    # Killed after the first message committed, before it was marked seen.
    crashed = poll_once(SERVICEDESK_CRASH_AT="imap-committed")
    assert crashed.returncode == 70
    assert await InboundEmail.count() == 1
    assert dovecot.flags() == ["1 (FLAGS ())", "2 (FLAGS ())"]
    # The next run takes both: the first is a known Message-ID, the second is new.
    done = poll_once()
    assert done.returncode == 0, done.stderr.decode()
    assert await InboundEmail.count() == 2 and await Ticket.count() == 2
    assert await Interaction.count() == 2
    assert dovecot.flags() == ["1 (FLAGS (\\Seen))", "2 (FLAGS (\\Seen))"]


async def test_the_poller_waits_in_idle_and_takes_new_mail_at_once(
    dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAP_POLL_SECONDS", "600")  # only IDLE can wake it in time
    process = subprocess.Popen([*CLI, "poll"])
    try:
        await asyncio.sleep(2)  # connected and idling
        dovecot.deliver(compose(sender="fay@mail.example", subject="Now", body="quick"))
        deadline = time.monotonic() + 20
        while await InboundEmail.count() == 0:
            assert process.poll() is None, "the poller exited"
            assert time.monotonic() < deadline, "the message was not taken while idling"
            await asyncio.sleep(0.2)
    finally:
        stop_process(process)
    assert dovecot.flags() == ["1 (FLAGS (\\Seen))"]
