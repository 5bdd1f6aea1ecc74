"""Inbound contacts as the load tests and the benchmark post them to POST /api/contacts:
varied senders and channels, and a minimal keep-alive HTTP client (bench/contacts.py measures
with them; tests/integration/test_two_servers.py races two servers with them)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

CHANNELS = ["email", "email", "web", "chat", "phone", "social", "api"]


def contact(rng: random.Random, customers: int, serial: int) -> dict[str, Any]:
    """An inbound contact from one of `customers` people (so both new and known customers)."""
    n = rng.randint(1, customers)
    channel = rng.choice(CHANNELS)
    if channel == "phone":
        identity: dict[str, Any] = {"phone": f"+44163296{n % 10000:04d}", "name": f"Caller {n}"}
    elif channel == "social":
        identity = {"social": f"twitter:@bench_{n}"}
    else:
        identity = {"email": f"customer{n}@bench.example", "name": f"Customer {n}"}
    return {
        "channel": channel,
        "customer": identity,
        "subject": f"Order {serial} did not arrive",
        "body": f"Hello, my order {serial} has not arrived yet. Can you help?",
    }


class Connection:
    """A minimal HTTP/1.1 keep-alive client for one connection: the benchmark's client
    shares the 2 cores with the server and the database, and httpx spent 3-5 ms of CPU per
    contact; this one writes the request bytes itself and reads only the status line, the
    Content-Length and the body."""

    def __init__(
        self, host: str, port: int, authorization: str, path: str, content_type: str
    ) -> None:
        self.host, self.port = host, port
        self.head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: {authorization}\r\nContent-Type: {content_type}\r\n"
        )
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> int:
        """Sends one contact; returns the status code (the body is read and dropped)."""
        status, _ = await self.send(body)
        return status

    async def send(self, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """Sends one request with `body` (and extra `headers`); returns the status code and
        the response body."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self.writer.write(f"{self.head}{extra}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, close = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
            elif name == b"transfer-encoding":
                raise OSError("chunked responses are not expected from this endpoint")
        answer = await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, answer

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
