"""One parser for every door: raw RFC 5322 bytes in, what the desk needs out.

stdlib `email` with `policy.default`. Nothing here may raise on a message a real mail
server would deliver: unknown charsets fall back (UTF-8, then Windows-1252 with
replacement), broken headers are read raw, and what went wrong is listed in `defects`
for an admin. Only bytes with no header at all are refused (NotAnEmail).
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import HeaderParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parseaddr
from functools import lru_cache
from typing import Any, cast

import nh3


@lru_cache(maxsize=4096)
def _parsed_header(name: str, value: str) -> Any:
    return policy.default.header_fetch_parse(name, value)


class _CachingPolicy(EmailPolicy):
    """policy.default, remembering each header it parsed: the stdlib parses a header again
    on every read (Content-Type alone is read a dozen times per part), which was half of
    the parse time, and the same Content-Type and MIME lines recur across messages. A
    parsed header is an immutable str subclass, safe to share."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if hasattr(value, "name"):
            return value
        return _parsed_header(name, value)


POLICY = _CachingPolicy()

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
TICKET_IN_SUBJECT = re.compile(r"\[#(\d{1,12})\]")
KNOWN_HEADERS = ("from", "to", "subject", "date", "message-id", "received", "mime-version")
AUTOMATED_SENDERS = ("mailer-daemon", "postmaster")
LIST_PRECEDENCE = ("bulk", "junk", "list")


class NotAnEmail(ValueError):
    """The bytes carry no email header at all."""


@dataclass(frozen=True)
class Part:
    """An attachment or inline image, with the sender's name and type for it."""

    filename: str
    declared_type: str
    data: bytes
    inline: bool = False
    content_id: str = ""


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification (RFC 3464) about one recipient."""

    recipient: str
    status: str  # 5.1.1, 4.2.2, ...
    original_message_id: str | None

    @property
    def hard(self) -> bool:
        return self.status.startswith("5")


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str  # always set: made from the bytes' hash when the message has none
    sender: str | None  # the From address, lower-case; None when there is none usable
    sender_name: str
    subject: str
    text: str
    html: str | None  # sanitised with nh3
    references: list[str]  # In-Reply-To first, then References newest first
    automated: str | None  # why nothing automatic may answer it, or None
    attachments: list[Part] = field(default_factory=list)
    bounces: list[Bounce] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    @property
    def ticket_number(self) -> int | None:
        """The `[#123]` ticket reference in the subject, if any."""
        found = TICKET_IN_SUBJECT.search(self.subject)
        return int(found.group(1)) if found else None


def synthetic_message_id(raw: bytes) -> str:
    """A stable Message-ID for a message that has none: a second delivery of the same
    bytes is then recognised as a duplicate too."""
    return f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"


def clean(text: str) -> str:
    """Text the databases accept: no NUL, no lone surrogates (left by undecodable bytes)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in the declared charset; on an unknown charset or bytes that are not in it,
    UTF-8, then Windows-1252 with replacement: never an exception."""
    for candidate in (charset or "us-ascii", "utf-8"):
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", "replace")


def _undo_surrogates(text: str) -> str:
    """Raw 8-bit bytes in a header reach us as surrogate escapes: read them as UTF-8, or
    else Windows-1252 (the usual culprits)."""
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    return decode_bytes(text.encode("utf-8", "surrogateescape"), "utf-8")


def raw_header(message: Message, name: str) -> str:
    """A header's text unfolded but not decoded, for the headers read only for their
    tokens or <ids> (Message-ID, References, Auto-Submitted, ...): the policy's full parse
    of a msg-id was the costliest step of reading a message, for nothing we use."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return clean(re.sub(r"\r?\n[ \t]", " ", str(value))).strip()
    return ""


def header(message: Message, name: str) -> str:
    """A header's decoded value, or its raw text decoded as well as can be when policy
    parsing fails on it ('' when absent)."""
    raw = next((str(v) for k, v in message.raw_items() if k.lower() == name.lower()), None)
    if raw is None:
        return ""
    if raw != _undo_surrogates(raw):  # the policy would turn these bytes into U+FFFD
        return clean(_decode_raw_header(_undo_surrogates(raw))).strip()
    try:
        return clean(str(message.get(name))).strip()
    except Exception:  # noqa: BLE001 -- a broken header must not lose the message
        return clean(_decode_raw_header(raw)).strip()


def _decode_raw_header(raw: str) -> str:
    try:
        return str(make_header(decode_header(raw)))
    except Exception:  # noqa: BLE001 -- unknown charset in an encoded word
        return raw


def _sender(message: Message, defects: list[str]) -> tuple[str | None, str]:
    value = header(message, "From")
    try:
        name, address = getaddresses([value])[0] if value else ("", "")
    except Exception:  # noqa: BLE001
        name, address = parseaddr(value)
    address = address.strip().lower()
    if "@" not in address or address.startswith("@") or address.endswith("@") or " " in address:
        defects.append(f"no usable From address ({value!r})")
        return None, name
    return address[:254], clean(name)[:200]


def _message_id(message: Message, raw: bytes) -> str:
    found = MESSAGE_ID.search(raw_header(message, "Message-ID"))
    if not found or len(found.group(0)) > 300:
        return synthetic_message_id(raw)
    return found.group(0)


def _references(message: Message) -> list[str]:
    ids = MESSAGE_ID.findall(raw_header(message, "In-Reply-To"))
    ids += reversed(MESSAGE_ID.findall(raw_header(message, "References")))
    return list(dict.fromkeys(i for i in ids if len(i) <= 300))


def automated_reason(message: Message, sender: str | None) -> str | None:
    """Why a message comes from a machine (RFC 3834 and common practice), or None."""
    auto_submitted = raw_header(message, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"auto-submitted: {auto_submitted[:40]}"
    precedence = raw_header(message, "Precedence").lower()
    if precedence in LIST_PRECEDENCE:
        return f"precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "List-Id"):
        if message.get(name) is not None:
            return name.lower()
    if sender and sender.split("@")[0] in AUTOMATED_SENDERS:
        return "mailer-daemon sender"
    return None


def _text_of(part: Message) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    text = decode_bytes(data, part.get_content_charset())
    return clean(text.replace("\r\n", "\n").replace("\r", "\n"))


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001
        name = ""
    # No path separators, no control characters (a header built from it must stay one line).
    name = re.sub(r"[\x00-\x1f\x7f]", "", clean(name)).replace("/", "_").replace("\\", "_")
    name = name.strip()
    return name[:255]


def _walk(part: Message, bodies: dict[str, str], attachments: list[Part]) -> None:
    """Collects the first text and HTML bodies and every other leaf as an attachment. A
    forwarded message (message/rfc822) is kept whole, as an .eml attachment."""
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        inner = part.get_payload()
        inner_message = inner[0] if isinstance(inner, list) and inner else None
        data = inner_message.as_bytes() if isinstance(inner_message, Message) else b""
        attachments.append(Part(_filename(part) or "forwarded.eml", content_type, data))
        return
    if part.is_multipart():
        payload = part.get_payload()
        for child in payload if isinstance(payload, list) else []:
            if isinstance(child, Message):
                _walk(child, bodies, attachments)
        return
    disposition = (part.get_content_disposition() or "").lower()
    if content_type in ("text/plain", "text/html") and disposition != "attachment":
        key = "text" if content_type == "text/plain" else "html"
        if key not in bodies:
            bodies[key] = _text_of(part)
            return
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    if not data and not _filename(part):
        return  # an empty leaf (a report's header block): nothing to keep
    content_id = MESSAGE_ID.search(raw_header(part, "Content-ID"))
    attachments.append(
        Part(
            filename=_filename(part),
            declared_type=content_type,
            data=data,
            inline=disposition == "inline" or (content_id is not None and disposition == ""),
            content_id=content_id.group(0) if content_id else "",
        )
    )


def html_to_text(html: str) -> str:
    """The text of an HTML body, for a message that has no text part."""
    html = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", html)
    text = html_lib.unescape(nh3.clean(html, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _bounces(message: Message) -> list[Bounce]:
    """The recipients a multipart/report; report-type=delivery-status names, with the
    Message-ID of the message that bounced (from the returned message or its headers)."""
    if message.get_content_type() != "multipart/report":
        return []
    if str(message.get_param("report-type") or "").lower() != "delivery-status":
        return []
    original: str | None = None
    statuses: list[tuple[str, str]] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if not isinstance(block, Message):
                    continue
                recipient = header(block, "Final-Recipient") or header(block, "Original-Recipient")
                status = header(block, "Status")
                if recipient and status:
                    address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
                    statuses.append((address, status.split()[0]))
        elif kind == "message/rfc822" and original is None:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                found = MESSAGE_ID.search(raw_header(inner[0], "Message-ID"))
                original = found.group(0) if found else None
        elif kind == "text/rfc822-headers" and original is None:
            headers = HeaderParser(policy=policy.default).parsestr(_text_of(part))
            found = MESSAGE_ID.search(raw_header(headers, "Message-ID"))
            original = found.group(0) if found else None
    return [Bounce(address, status, original) for address, status in statuses]


def parse(raw: bytes) -> ParsedEmail:
    """Everything the desk reads from one message."""
    message = cast(EmailMessage, message_from_bytes(raw, policy=POLICY))
    names = {key.lower() for key in message}
    if not names & set(KNOWN_HEADERS):
        raise NotAnEmail("the body is not an email message: it has no From, Subject or Date")
    defects = [type(d).__name__ for d in message.defects]
    sender, sender_name = _sender(message, defects)
    bodies: dict[str, str] = {}
    attachments: list[Part] = []
    _walk(message, bodies, attachments)
    safe_html = nh3.clean(bodies["html"]) if bodies.get("html") else None
    text = bodies.get("text") or (html_to_text(bodies["html"]) if bodies.get("html") else "")
    return ParsedEmail(
        message_id=_message_id(message, raw),
        sender=sender,
        sender_name=sender_name,
        subject=header(message, "Subject")[:300],
        text=text,
        html=safe_html,
        references=_references(message),
        automated=automated_reason(message, sender),
        attachments=attachments,
        bounces=_bounces(message),
        defects=defects,
    )


# ---------------------------------------------------------------- folding for display

_FOLD_MARKERS = re.compile(
    r"^(?:-- ?$"  # the signature delimiter
    r"|-{3,} ?(?:Original Message|Ursprüngliche Nachricht|Message d'origine) ?-{3,}"
    r"|_{10,}$"  # Outlook's line above the quoted headers
    r"|On .{4,200} wrote:$"
    r"|Am .{4,200} schrieb .{1,200}:$"
    r"|Le .{4,200} a écrit ?:$"
    r"|El .{4,200} escribió:$"
    r"|From: .+\n(?:Sent|Date): )",
    re.MULTILINE,
)


def fold_at(text: str) -> int | None:
    """Where quoted history or a signature starts (a character offset into `text`), so
    the UI can fold it away; None when there is none or nothing would be left above it.
    The text itself is never changed."""
    candidates: list[int] = []
    marker = _FOLD_MARKERS.search(text)
    if marker:
        candidates.append(marker.start())
    # A trailing block of "> " lines (replies written above the quote).
    lines = text.splitlines(keepends=True)
    offset = len(text)
    for line in reversed(lines):
        if line.startswith(">") or not line.strip():
            offset -= len(line)
        else:
            break
    if offset < len(text) and any(line.startswith(">") for line in lines):
        candidates.append(offset)
    at = min(candidates) if candidates else None
    if at is None or not text[:at].strip():
        return None
    return at
