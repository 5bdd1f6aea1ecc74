"""The SMTP/LMTP door (`servicedesk mail listen`): a mail server delivers to the desk, which
accepts mail for INBOUND_ADDRESSES only and hands each message to the one parser.

The reply to DATA comes after the message's transaction committed: 250 means the desk has
it. A refusal the sender must not retry (no email at all) is a 5xx; anything unexpected is
a 451, so the sending server keeps the message and tries again (the Message-ID dedupe
makes the retry harmless)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP

from servicedesk.errors import DomainError
from servicedesk.settings import get_settings

from . import service

log = logging.getLogger(__name__)


class InboundHandler:
    """aiosmtpd handler: RCPT checks the address, DATA receives the message."""

    def __init__(self, addresses: list[str]) -> None:
        self.addresses = {a.lower() for a in addresses}

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() not in self.addresses:
            return "550 5.1.1 No such mailbox at this service desk"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        try:
            received = await service.receive_email(raw=bytes(raw), door="smtp")
        except DomainError as exc:
            if exc.status_code == 409:
                return f"451 4.3.0 {exc.detail}"
            return f"554 5.6.0 {exc.detail}"
        except Exception:  # noqa: BLE001 -- the sender keeps the message and retries
            log.exception("could not receive a message over SMTP")
            return "451 4.3.0 The desk could not take the message now; try again later"
        return f"250 2.0.0 {received.status} (ticket {received.ticket_id})"


async def listen(*, host: str, port: int, lmtp: bool = False) -> None:
    """Serves SMTP (or LMTP) on host:port until cancelled."""
    settings = get_settings()
    addresses = settings.inbound_address_list()
    if not addresses:
        raise SystemExit("set INBOUND_ADDRESSES (comma-separated) to the addresses to accept")
    handler = InboundHandler(addresses)
    protocol = LMTP if lmtp else SMTP
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: protocol(
            handler, data_size_limit=settings.mail_max_bytes, enable_SMTPUTF8=True, loop=loop
        ),
        host=host,
        port=port,
    )
    log.warning("accepting mail for %s on %s:%s", ", ".join(addresses), host, port)
    async with server:
        await server.serve_forever()
