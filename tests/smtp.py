"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the tests: it keeps every message it
accepts, and a test can take it down and bring it back on the same port."""

from __future__ import annotations

import asyncio
import functools
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    at: float = field(default_factory=time.time)  # when the server had it (bench delays)

    @functools.cached_property
    def message(self) -> EmailMessage:
        """The message, parsed when first read: parsing each one as it arrived cost the
        benchmarks' server process about as much CPU as building it cost the worker."""
        return cast(EmailMessage, message_from_bytes(self.content, policy=policy.default))


class _Collector:
    """aiosmtpd handler: keeps every accepted message. It refuses the addresses in `refuse`
    for good (550 to RCPT TO, a hard bounce), and once `hold_after` messages are in, it
    keeps each further one but holds back its 250 until `released` is set: a sender killed
    meanwhile never learns that the server has its message."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: set[str] = set()
        self.hold_after: int | None = None
        self.released = threading.Event()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        if self.hold_after is not None and len(self.received) > self.hold_after:
            while not self.released.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._collector = _Collector()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self._collector.received

    def refuse(self, *addresses: str) -> None:
        """RCPT TO these addresses gets 550 (the mailbox does not exist)."""
        self._collector.refuse.update(a.lower() for a in addresses)

    def hold_after(self, count: int) -> None:
        """Keeps but does not confirm the messages after the first `count` (see _Collector)."""
        self._collector.hold_after = count

    def release(self) -> None:
        self._collector.released.set()

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self._collector.received]

    def about(self, words: str) -> list[EmailMessage]:
        """Messages whose subject contains `words`."""
        return [m for m in self.messages if words in str(m["Subject"])]

    def start(self) -> None:
        """SMTP up. A stopped controller's loop is closed, so each start gets a new one."""
        if self._controller is None:
            self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        """SMTP down: connections to the port are refused."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
