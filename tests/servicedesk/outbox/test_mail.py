"""Replies by email: written to the outbox with the reply, delivered over real SMTP (aiosmtpd)
with threading headers, retried while SMTP is down, failed visibly when it stays down, and
re-sent by an admin. One test runs the real worker process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from servicedesk.clock import as_utc, utcnow
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.outbox.tasks import deliver_due
from servicedesk.settings import get_settings
from tests.processes import stop_process
from tests.smtp import SmtpServer

CUSTOMER_EMAIL = "carol@mail.example"
CUSTOMER_MESSAGE_ID = "<order-12-question@mail.example>"
EMAIL_CONTACT: dict[str, Any] = {
    "channel": "email",
    "customer": {"email": CUSTOMER_EMAIL, "name": "Carol"},
    "subject": "Order 12",
    "body": "Where is my order?",
    "message_id": CUSTOMER_MESSAGE_ID,
}


async def open_ticket(client: httpx.AsyncClient, contact: dict[str, Any] = EMAIL_CONTACT) -> int:
    created = await client.post("/api/contacts", json=contact)
    assert created.status_code == 201, created.text
    return int(created.json()["ticket"]["id"])


async def post_message(
    client: httpx.AsyncClient, ticket_id: int, body: str = "It ships today.", public: bool = True
) -> dict[str, Any]:
    posted = await client.post(
        f"/api/tickets/{ticket_id}/messages", json={"body": body, "public": public}
    )
    assert posted.status_code == 201, posted.text
    return dict(posted.json())


async def emails() -> list[dict[str, Any]]:
    return list(
        await OutboxMessage.select().where(OutboxMessage.kind == "email").order_by(OutboxMessage.id)
    )


async def the_email() -> dict[str, Any]:
    rows = await emails()
    assert len(rows) == 1, rows
    return rows[0]


def after_backoff(row: dict[str, Any]) -> datetime:
    """A moment at which a row waiting out its backoff is due, without sleeping."""
    return as_utc(row["not_before"]) + timedelta(seconds=1)


# ---------------------------------------------------------------- delivered


async def test_public_reply_on_email_ticket_is_mailed_to_the_customer_in_thread(
    admin_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    ticket_id = await open_ticket(admin_client)
    reply = await post_message(admin_client, ticket_id)

    # Written with the reply, sent only by the delivery.
    queued = await the_email()
    assert queued["status"] == "pending" and smtp_server.received == []

    await deliver_due()

    assert len(smtp_server.received) == 1
    mail = smtp_server.received[0]
    assert mail.rcpt_tos == [CUSTOMER_EMAIL] and mail.message["To"] == CUSTOMER_EMAIL
    assert f"[#{ticket_id}]" in mail.message["Subject"]
    assert mail.message["Message-ID"] == reply["message_id"] and reply["message_id"]
    assert mail.message["In-Reply-To"] == CUSTOMER_MESSAGE_ID
    assert CUSTOMER_MESSAGE_ID in mail.message["References"]
    assert mail.message.get_content().strip() == "It ships today."
    sent = await the_email()
    assert sent["status"] == "sent" and sent["attempts"] == 1 and sent["sent_at"] is not None


async def test_internal_note_sends_no_email(
    admin_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    ticket_id = await open_ticket(admin_client)
    await post_message(admin_client, ticket_id, body="Courier is late again", public=False)

    await deliver_due()

    assert await emails() == [] and smtp_server.received == []


async def test_reply_on_chat_ticket_sends_no_email_even_to_a_known_address(
    admin_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    chat = {**EMAIL_CONTACT, "channel": "chat", "message_id": None}
    ticket_id = await open_ticket(admin_client, chat)
    await post_message(admin_client, ticket_id)

    await deliver_due()

    assert await emails() == [] and smtp_server.received == []


async def test_subject_with_line_breaks_is_still_mailed_on_one_line(
    admin_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    ticket_id = await open_ticket(admin_client, {**EMAIL_CONTACT, "subject": "Order 12\r\nlate"})
    await post_message(admin_client, ticket_id)

    await deliver_due()

    assert [m.message["Subject"] for m in smtp_server.received] == [
        f"[#{ticket_id}] Re: Order 12 late"
    ]
    assert (await the_email())["status"] == "sent"


# ---------------------------------------------------------------- SMTP down, then up


async def test_mail_waits_out_an_smtp_outage_and_is_delivered_once(
    admin_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    ticket_id = await open_ticket(admin_client)
    await post_message(admin_client, ticket_id)
    smtp_server.stop()

    before = utcnow()
    await deliver_due()

    waiting = await the_email()
    assert waiting["status"] == "pending" and waiting["attempts"] == 1
    assert waiting["last_error"]
    assert as_utc(waiting["not_before"]) > before
    # The backoff holds: another sweep right away does not try again.
    await deliver_due()
    assert (await the_email())["attempts"] == 1

    smtp_server.start()
    await deliver_due(now=after_backoff(waiting))

    assert len(smtp_server.received) == 1
    sent = await the_email()
    assert sent["status"] == "sent" and sent["attempts"] == 2 and sent["last_error"] == ""
    await deliver_due(now=after_backoff(waiting) + timedelta(hours=1))
    assert len(smtp_server.received) == 1


async def test_a_failed_attempt_schedules_the_retry_for_when_it_is_due(
    admin_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    from servicedesk.queue import huey

    huey.flush()
    ticket_id = await open_ticket(admin_client)
    await post_message(admin_client, ticket_id)
    smtp_server.stop()
    await deliver_due()

    waiting = await the_email()
    retries = [task for task in huey.pending() if task.args == (waiting["id"],) and task.eta]
    assert len(retries) == 1
    assert retries[0].eta == as_utc(waiting["not_before"]).replace(tzinfo=None)


# ---------------------------------------------------------------- SMTP down for good


async def fail_every_attempt() -> dict[str, Any]:
    """Runs the sweep through each backoff until the email gives up."""
    for _ in range(get_settings().mail_max_attempts):
        row = await the_email()
        assert row["status"] == "pending"
        await deliver_due(now=after_backoff(row))
    return await the_email()


async def test_mail_that_never_gets_through_is_failed_visible_and_can_be_resent(
    admin_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    ticket_id = await open_ticket(admin_client)
    reply = await post_message(admin_client, ticket_id)
    smtp_server.stop()

    failed = await fail_every_attempt()

    assert failed["status"] == "failed"
    assert failed["attempts"] == get_settings().mail_max_attempts and failed["last_error"]
    # Nothing lost, and no more tries on its own.
    await deliver_due(now=utcnow() + timedelta(days=1))
    assert (await the_email())["status"] == "failed"
    listed = (await admin_client.get("/api/outbox", params={"status": "failed"})).json()["items"]
    assert [(i["id"], i["to"], i["ticket_id"]) for i in listed] == [
        (failed["id"], CUSTOMER_EMAIL, ticket_id)
    ]

    smtp_server.start()
    resent = await admin_client.post(f"/api/outbox/{failed['id']}/resend")
    assert resent.status_code == 202, resent.text
    assert (await the_email())["status"] == "pending"
    await deliver_due()

    assert [m.message["Message-ID"] for m in smtp_server.received] == [reply["message_id"]]
    assert (await the_email())["status"] == "sent"
    again = await admin_client.post(f"/api/outbox/{failed['id']}/resend")
    assert again.status_code == 409, again.text


async def test_a_claim_left_by_a_dead_worker_is_retried_unless_it_reached_smtp(
    admin_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    """A worker that died between claiming and sending: the email goes out later. One that
    died while handing the content to the server: the server may have it, so the email is
    "unknown" and not sent again by itself; an admin can re-send it."""
    ticket_id = await open_ticket(admin_client)
    await post_message(admin_client, ticket_id, body="first")
    await post_message(admin_client, ticket_id, body="second")
    first, second = await emails()
    claimed_at = utcnow()
    await OutboxMessage.update(
        {OutboxMessage.status: "sending", OutboxMessage.not_before: claimed_at}
    ).where(OutboxMessage.kind == "email")
    await OutboxMessage.update({OutboxMessage.handed_over_at: claimed_at}).where(
        OutboxMessage.id == second["id"]
    )
    await deliver_due(now=claimed_at + timedelta(seconds=5))  # not stale yet
    assert smtp_server.received == []

    stale = claimed_at + timedelta(seconds=get_settings().outbox_stale_claim_seconds + 1)
    await deliver_due(now=stale)
    assert [m.message.get_content().strip() for m in smtp_server.received] == ["first"]
    rows = {row["id"]: row for row in await emails()}
    assert rows[first["id"]]["status"] == "sent"
    assert rows[second["id"]]["status"] == "unknown" and rows[second["id"]]["last_error"]
    await deliver_due(now=stale + timedelta(days=1))
    assert len(smtp_server.received) == 1

    listed = (await admin_client.get("/api/outbox", params={"status": "unknown"})).json()
    assert [item["id"] for item in listed["items"]] == [second["id"]]
    assert (await admin_client.post(f"/api/outbox/{second['id']}/resend")).status_code == 202
    await deliver_due()
    assert [m.message.get_content().strip() for m in smtp_server.received] == ["first", "second"]


async def test_an_address_the_server_refuses_for_good_bounces_without_retries(
    admin_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    smtp_server.refuse(CUSTOMER_EMAIL)
    ticket_id = await open_ticket(admin_client)
    await post_message(admin_client, ticket_id)
    await deliver_due()
    bounced = await the_email()
    assert bounced["status"] == "bounced" and bounced["attempts"] == 1
    assert bounced["last_error"].startswith("550")
    await deliver_due(now=utcnow() + timedelta(days=1))
    assert (await the_email())["attempts"] == 1 and smtp_server.received == []


async def test_outbox_view_and_resend_are_for_admins_only(
    agent_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    assert (await agent_client.get("/api/outbox")).status_code == 403
    assert (await agent_client.post("/api/outbox/1/resend")).status_code == 403


# ---------------------------------------------------------------- the customer answers


async def test_customer_answer_to_our_reply_threads_into_the_same_ticket(
    admin_client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    ticket_id = await open_ticket(admin_client)
    await post_message(admin_client, ticket_id)
    await deliver_due()
    our_id = smtp_server.received[0].message["Message-ID"]

    answer = {
        **EMAIL_CONTACT,
        "subject": f"Re: [#{ticket_id}] Re: Order 12",
        "body": "Thanks, and the invoice?",
        "message_id": "<order-12-answer@mail.example>",
        "thread": {"in_reply_to": our_id},
    }
    assert await open_ticket(admin_client, answer) == ticket_id

    # Our next reply continues the same email thread.
    await post_message(admin_client, ticket_id, body="Attached.")
    await deliver_due()
    latest = smtp_server.received[-1].message
    assert latest["In-Reply-To"] == "<order-12-answer@mail.example>"
    assert latest["References"].split() == [
        CUSTOMER_MESSAGE_ID,
        our_id,
        "<order-12-answer@mail.example>",
    ]


# ---------------------------------------------------------------- the real worker


def start_worker(log_path: Path) -> subprocess.Popen[bytes]:
    """`servicedesk worker` with this test run's environment (DATABASE_URL, QUEUE_URL,
    SMTP_URL), logging to a file (appended to, when a test restarts it) so a failure can
    show what it did."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "servicedesk.cli", "worker", "--workers", "2"],
            env=dict(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def wait_for(condition: Callable[[], Awaitable[bool]], seconds: float) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await condition():
            return True
        await asyncio.sleep(0.2)
    return False


async def test_worker_process_delivers_a_reply_by_its_kick_before_any_sweep(
    admin_client: httpx.AsyncClient, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    """The worker sweeps the outbox when it starts and then every 60 s (huey's scheduler).
    A reply posted after that first sweep and delivered within the minute after the worker
    started was delivered by its kick, not by a sweep."""
    from servicedesk.queue import huey

    # Earlier tests queued tasks for rows that no longer exist (and a Redis queue outlives
    # test runs); the worker should see only this test's.
    huey.flush()
    # A row nobody kicks: only the first sweep delivers it, which tells when it has run.
    now = utcnow()
    probe = await OutboxMessage.insert(
        OutboxMessage(kind="event", topic="probe", not_before=now, created_at=now)
    ).returning(OutboxMessage.id)
    log_path = tmp_path / "worker.log"
    started = asyncio.get_running_loop().time()
    worker = start_worker(log_path)
    try:

        async def swept() -> bool:
            row = await OutboxMessage.select(OutboxMessage.status).where(
                OutboxMessage.id == probe[0]["id"]
            )
            return row[0]["status"] == "sent"

        assert await wait_for(swept, seconds=30), log_path.read_text()
        ticket_id = await open_ticket(admin_client)
        reply = await post_message(admin_client, ticket_id)

        async def delivered() -> bool:
            return bool(smtp_server.received) and (await the_email())["status"] == "sent"

        assert await wait_for(delivered, seconds=20), log_path.read_text()
        assert asyncio.get_running_loop().time() - started < 60, "the next sweep may have sent it"
        assert worker.poll() is None, log_path.read_text()
    finally:
        stop_process(worker)

    assert len(smtp_server.received) == 1
    mail = smtp_server.received[0].message
    assert mail["To"] == CUSTOMER_EMAIL and mail["Message-ID"] == reply["message_id"]


def test_messages_built_one_after_another_each_keep_their_own_headers() -> None:
    """The headers messages share are parsed once (outbox.mail._Headers): a message in
    plain ASCII and one with accents, built in turns, each get their own encoding."""
    from email import message_from_bytes, policy
    from email.generator import BytesGenerator
    from io import BytesIO

    from servicedesk.outbox.mail import build_message

    def row(subject: str, body: str, to: str) -> dict[str, Any]:
        return {
            "to_address": to,
            "subject": subject,
            "body_text": body,
            "message_id": f"<{to}>",
            "in_reply_to": "",
            "references": "",
            "payload": {},
        }

    cases = [
        ("Order 1", "plain words", "a@mail.example", "7bit"),
        ("Commande réglée", "déjà expédiée", "b@mail.example", "8bit"),
    ] * 2
    for subject, body, to, encoding in cases:
        out = BytesIO()
        BytesGenerator(out).flatten(build_message(row(subject, body, to)), linesep="\r\n")
        parsed = message_from_bytes(out.getvalue(), policy=policy.default)
        assert parsed["Content-Transfer-Encoding"] == encoding
        assert (parsed["Subject"], parsed["To"], parsed["Message-ID"]) == (subject, to, f"<{to}>")
        assert parsed.get_content().strip() == body
        assert parsed["From"] == get_settings().mail_from
