"""The IMAP door (`servicedesk mail poll`): fetches the unseen messages of IMAP_MAILBOXES
and hands each to the one parser.

A message is fetched with BODY.PEEK (it stays unseen), received (its transaction commits),
and only then flagged \\Seen. A crash in between loses nothing (the message is still
unseen, and is fetched again) and duplicates nothing (its Message-ID is known: the second
receipt is a duplicate). Between polls the poller waits in IDLE where the server offers it
(new mail is taken at once), else sleeps IMAP_POLL_SECONDS.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import logging
import os
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from servicedesk.errors import DomainError
from servicedesk.settings import get_settings

from . import service
from .service import Received

log = logging.getLogger(__name__)
# For the crash tests: the process exits at this named point, as a crash would.
CRASH_AT = "SERVICEDESK_CRASH_AT"


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    tls: bool = False

    @classmethod
    def from_url(cls, url: str) -> Mailbox:
        """imap://user:password@host:port/FOLDER, or imaps:// for TLS."""
        parsed = urlparse(url)
        if parsed.scheme not in ("imap", "imaps") or not parsed.hostname:
            raise ValueError(f"{url!r} is not an imap:// or imaps:// URL")
        tls = parsed.scheme == "imaps"
        return cls(
            host=parsed.hostname,
            port=parsed.port or (993 if tls else 143),
            user=unquote(parsed.username or ""),
            password=unquote(parsed.password or ""),
            folder=unquote(parsed.path.lstrip("/")) or "INBOX",
            tls=tls,
        )

    def connect(self) -> imaplib.IMAP4:
        client = (imaplib.IMAP4_SSL if self.tls else imaplib.IMAP4)(self.host, self.port)
        client.login(self.user, self.password)
        client.select(self.folder)
        return client


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_AT) == name:
        os._exit(70)


def mailboxes() -> list[Mailbox]:
    return [Mailbox.from_url(url) for url in get_settings().imap_mailboxes.split()]


async def poll_once(client: imaplib.IMAP4) -> list[Received]:
    """Receives every unseen message of the selected folder."""
    results: list[Received] = []
    _, found = client.uid("SEARCH", "UNSEEN")  # type: ignore[arg-type]
    for uid in (found[0] or b"").split():
        _, data = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
        raw = next((item[1] for item in data if isinstance(item, tuple)), None)
        if raw is None:
            continue
        crash_point("imap-fetched")
        try:
            received = await service.receive_email(raw=bytes(raw), door="imap")
        except DomainError as exc:
            if exc.status_code == 409:
                continue  # conflicting deliveries: left unseen, taken on the next poll
            # No email at all: flagged for a person to look at in the mailbox, not retried.
            log.warning("IMAP message %s refused: %s", uid, exc.detail)
            client.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen \\Flagged)")
            continue
        crash_point("imap-committed")
        client.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
        results.append(received)
    return results


def wait_for_mail(client: imaplib.IMAP4, timeout: float) -> None:
    """Blocks until the server announces new mail (IDLE, RFC 2177) or `timeout` passes;
    without IDLE, sleeps. imaplib (before Python 3.14) has no IDLE: it is spoken here."""
    if "IDLE" not in client.capabilities:
        import time

        time.sleep(timeout)
        return
    tag = client._new_tag()  # type: ignore[attr-defined]
    client.send(tag + b" IDLE\r\n")
    if not client.readline().startswith(b"+"):
        return
    sock = client.socket()
    sock.settimeout(timeout)
    try:
        while True:
            line = client.readline()
            if not line or b"EXISTS" in line or b"RECENT" in line:
                break
    except TimeoutError:
        pass
    finally:
        sock.settimeout(None)
    client.send(b"DONE\r\n")
    while True:  # the rest of the IDLE's responses, up to its tagged completion
        line = client.readline()
        if not line or line.startswith(tag):
            break


async def poll(*, once: bool) -> int:
    """Polls every configured mailbox; with `once`, a single pass. Returns how many
    messages were received."""
    boxes = mailboxes()
    if not boxes:
        raise SystemExit("set IMAP_MAILBOXES to one or more imap://user:password@host/FOLDER")
    clients = [box.connect() for box in boxes]
    total = 0
    try:
        while True:
            for client in clients:
                total += len(await poll_once(client))
            if once:
                return total
            interval = get_settings().imap_poll_seconds
            if len(clients) == 1:
                await asyncio.to_thread(wait_for_mail, clients[0], interval)
            else:
                await asyncio.sleep(interval)
    finally:
        for client in clients:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                client.logout()
