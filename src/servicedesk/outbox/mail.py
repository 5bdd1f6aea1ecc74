"""SMTP delivery of outbox emails, with threading headers: one connection per batch."""

from __future__ import annotations

import email.policy
import functools
import io
import smtplib
from email.generator import BytesGenerator
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from types import TracebackType
from typing import Any, cast
from urllib.parse import unquote, urlparse

from servicedesk.settings import get_settings


class MailNotConfigured(Exception):
    """No SMTP_URL: mail stays in the outbox, shown as not sent."""


class RecipientRefused(Exception):
    """The server refused the address for good (a 5xx reply to RCPT TO): a hard bounce,
    not worth another try."""


class _Headers(HeaderRegistry):
    """The stdlib's header registry, with each header's class made once (the stdlib's
    makes a new class for every header it parses, which was the largest part of building a
    message: a third of the worker's CPU per rule email), and the headers that messages
    share (From, the MIME headers, Date within a second) parsed once: a parsed header does
    not change, and the message keeps it as it is."""

    SHARED = frozenset(
        {"from", "date", "mime-version", "content-type", "content-transfer-encoding"}
    )

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}
        self._shared = functools.lru_cache(maxsize=256)(super().__call__)

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made

    def __call__(self, name: str, value: Any) -> BaseHeader:
        if name.lower() in self.SHARED and isinstance(value, str):
            return cast(BaseHeader, self._shared(name, value))
        return cast(BaseHeader, super().__call__(name, value))


# The default policy of EmailMessage (RFC-compliant headers), with the registry above.
POLICY = email.policy.default.clone(header_factory=_Headers())


def build_message(row: dict[str, Any]) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = get_settings().mail_from
    message["To"] = row["to_address"]
    # A customer's subject may hold line breaks, which no header may.
    message["Subject"] = " ".join(row["subject"].split())
    message["Date"] = formatdate(localtime=False)
    if row["message_id"]:
        message["Message-ID"] = row["message_id"]
    if row["in_reply_to"]:
        message["In-Reply-To"] = row["in_reply_to"]
    if row["references"]:
        message["References"] = row["references"]
    payload = row.get("payload")
    for name, value in (payload.get("headers", {}) if isinstance(payload, dict) else {}).items():
        message[name] = value
    message.set_content(row["body_text"])
    return message


class MailSession:
    """One SMTP connection (SMTP_URL: smtp://[user:pass@]host:port, or smtps:// for implicit
    TLS) reused for a batch of messages, opened on first use and again after a drop.

    A message goes in two steps so that the caller can record, between them, that its
    content is about to be handed over (`prepare`: MAIL FROM and RCPT TO, which a refusal
    ends with nothing delivered; `hand_over`: DATA, after which the server may have it)."""

    def __init__(self) -> None:
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> MailSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()

    def _connected(self) -> smtplib.SMTP:
        if self._client is None:
            url = get_settings().smtp_url
            if not url:
                raise MailNotConfigured("not sent: no SMTP configured")
            parsed = urlparse(url)
            smtp_class = smtplib.SMTP_SSL if parsed.scheme == "smtps" else smtplib.SMTP
            client = smtp_class(parsed.hostname or "127.0.0.1", parsed.port or 25, timeout=10)
            client.ehlo_or_helo_if_needed()
            if parsed.username:
                client.login(unquote(parsed.username), unquote(parsed.password or ""))
            self._client = client
        return self._client

    def _dropped(self) -> None:
        """Forgets a connection that failed mid-conversation: the next message opens anew."""
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def prepare(self, message: EmailMessage) -> None:
        """MAIL FROM and RCPT TO for the message's one recipient."""
        client = self._connected()
        sender = parseaddr(str(message["From"]))[1]
        recipient = parseaddr(str(message["To"]))[1]
        try:
            code, reply = client.mail(sender)
            if code != 250:
                client.rset()
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            code, reply = client.rcpt(recipient)
            if code not in (250, 251):
                client.rset()
                text = f"{code} {reply.decode(errors='replace')}"
                if 500 <= code < 600:
                    raise RecipientRefused(text)
                raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        except (OSError, smtplib.SMTPServerDisconnected):
            self._dropped()
            raise

    def hand_over(self, message: EmailMessage) -> None:
        """DATA: the content; returns once the server has accepted it."""
        client = self._connected()
        buffer = io.BytesIO()
        BytesGenerator(buffer).flatten(message, linesep="\r\n")
        try:
            code, reply = client.data(buffer.getvalue())
        except (OSError, smtplib.SMTPServerDisconnected):
            self._dropped()
            raise
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    def send(self, message: EmailMessage) -> None:
        self.prepare(message)
        self.hand_over(message)


def send_message(message: EmailMessage) -> None:
    """Sends one message on a connection of its own."""
    with MailSession() as session:
        session.send(message)
