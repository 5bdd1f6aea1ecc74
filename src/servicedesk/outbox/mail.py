"""SMTP delivery of one outbox email, with threading headers."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote, urlparse

from servicedesk.settings import get_settings


class MailNotConfigured(Exception):
    """No SMTP_URL: mail stays in the outbox, shown as not sent."""


def build_message(row: dict[str, Any]) -> EmailMessage:
    message = EmailMessage()
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
    message.set_content(row["body_text"])
    return message


def send_message(message: EmailMessage) -> None:
    """Sends over SMTP_URL: smtp://[user:pass@]host:port, or smtps:// for implicit TLS."""
    url = get_settings().smtp_url
    if not url:
        raise MailNotConfigured("not sent: no SMTP configured")
    parsed = urlparse(url)
    smtp_class = smtplib.SMTP_SSL if parsed.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parsed.hostname or "127.0.0.1", parsed.port or 25, timeout=10) as client:
        if parsed.username:
            client.login(unquote(parsed.username), unquote(parsed.password or ""))
        client.send_message(message)
