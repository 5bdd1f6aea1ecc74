"""Building real messages for the email-in tests, and posting them through the HTTP door."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import FIXTURES
from tests.processes import stop_process
from tests.smtp import free_port

MAIL_FIXTURES = FIXTURES / "mail"


def compose(
    *,
    sender: str,
    subject: str,
    body: str,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
    to: str = "support@desk.example",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="customer.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def dsn(*, recipient: str, status: str, original_message_id: str) -> bytes:
    """A delivery status notification as Postfix writes it."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        "To: support@desk.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='mx.example.net')}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: {status}\r\n\r\n"
        "--b\r\nContent-Type: message/rfc822\r\n\r\n"
        f"From: support@desk.example\r\nTo: {recipient}\r\nSubject: Re: hello\r\n"
        f"Message-ID: {original_message_id}\r\n\r\nOur reply.\r\n"
        "--b--\r\n"
    ).encode()


async def post_raw(client: httpx.AsyncClient, raw: bytes, expect: int | None = None) -> Any:
    response = await client.post(
        "/api/channels/email/inbound", content=raw, headers={"Content-Type": "message/rfc822"}
    )
    if expect is not None:
        assert response.status_code == expect, response.text
    return response


def expected_attachments(path: Path) -> list[bytes]:
    """Every file a fixture carries, read with the standard library alone: the parts that
    have a file name or a Content-ID, and forwarded messages."""
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    found: list[bytes] = []

    def walk(part: Message) -> None:
        if part.get_content_type() == "message/rfc822":
            found.append(part.get_payload()[0].as_bytes())
            return
        if part.is_multipart():
            for child in part.get_payload():
                walk(child)
            return
        if part.get_filename() or part.get("Content-ID"):
            found.append(part.get_payload(decode=True))

    walk(message)
    return found


@asynccontextmanager
async def running_listener(lmtp: bool = False) -> AsyncIterator[int]:
    """`servicedesk mail listen` on a free port (INBOUND_ADDRESSES from the environment);
    yields the port once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "servicedesk.cli", "mail", "listen", "--port", str(port)]
    process = subprocess.Popen(command + (["--lmtp"] if lmtp else []))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, "the listener exited"
                assert time.monotonic() < deadline, "the listener did not start"
                await asyncio.sleep(0.1)
        yield port
    finally:
        stop_process(process)
