"""The web form door: a contact from the hosted /contact page or a form embedded in any
allowed site. Public (no login, no cookie: nothing a cross-site page could ride on), so
it guards itself: an origin allow-list for browsers, a honeypot field, and a rate limit
per email address and per client IP. Its optional fields (order_number, interest, ...)
are kept with the submission and read by rules as `ticket.form.<name>`."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from servicedesk import text
from servicedesk.clock import utcnow
from servicedesk.customers.service import ContactIdentity
from servicedesk.db import write_transaction
from servicedesk.errors import Forbidden, Invalid, RateLimited
from servicedesk.settings import get_settings
from servicedesk.tickets import service as tickets

from .tables import FormSubmission

log = logging.getLogger(__name__)
# A field bots fill and people never see (the pages hide it): a post with it is spam.
HONEYPOT = "website"
CORE_FIELDS = ("name", "email", "phone", "subject", "message", HONEYPOT)
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 20
MAX_FIELD_CHARS = 1000
WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class FormPost:
    """A submission as the door read it (JSON or urlencoded)."""

    name: str
    email: str
    subject: str
    message: str
    phone: str | None = None
    honeypot: str = ""
    fields: dict[str, str] | None = None


def check_origin(origin: str | None) -> None:
    """A browser says where the page that posts is; only allowed origins (FORM_ALLOWED_
    ORIGINS and the desk's own) may post. No Origin: not a browser, no cross-site risk."""
    if origin is None:
        return
    if origin.strip().rstrip("/").lower() not in get_settings().form_origins():
        raise Forbidden(
            f"pages of {origin} may not post this form; an admin adds the origin to"
            " FORM_ALLOWED_ORIGINS",
            field="origin",
        )


def custom_fields(values: dict[str, Any]) -> dict[str, str]:
    """The optional fields of a post: every key besides the core ones (and a JSON body's
    `fields` object), named like identifiers, short texts."""
    found: dict[str, Any] = dict(values.get("fields") or {})
    found.update({k: v for k, v in values.items() if k not in (*CORE_FIELDS, "fields")})
    if len(found) > MAX_FIELDS:
        raise Invalid(f"a form has at most {MAX_FIELDS} extra fields", field="fields")
    cleaned: dict[str, str] = {}
    for name, value in found.items():
        where = f"fields.{name}"
        if not FIELD_NAME.match(name):
            raise Invalid(
                "a field name is lower-case letters, digits and _ (up to 40), starting"
                " with a letter",
                field=where,
            )
        if not isinstance(value, str):
            raise Invalid("a field's value is a text", field=where)
        value = value.strip()
        if len(value) > MAX_FIELD_CHARS:
            raise Invalid(f"a field's value is at most {MAX_FIELD_CHARS} characters", field=where)
        text.check_text(value, field=where)
        if value:
            cleaned[name] = value
    return cleaned


async def _check_rate(email: str, ip: str, now: datetime) -> None:
    """At most FORM_PER_ADDRESS_PER_HOUR posts from one email address and from one IP."""
    limit = get_settings().form_per_address_per_hour
    since = now - WINDOW
    for column, value, field in (
        (FormSubmission.email, email, "email"),
        (FormSubmission.ip, ip, "ip"),
    ):
        if not value:
            continue
        recent = (
            await FormSubmission.select(FormSubmission.created_at)
            .where(column == value, FormSubmission.created_at > since)
            .order_by(FormSubmission.created_at, ascending=False)
            .limit(limit)
        )
        if len(recent) >= limit:
            oldest = recent[-1]["created_at"]
            retry_after = int((oldest + WINDOW - now).total_seconds()) + 1
            raise RateLimited(
                f"over {limit} posts an hour from this {'address' if field == 'email' else 'IP'}"
                f"; try again in {retry_after} seconds",
                retry_after=retry_after,
                field=field,
            )


def _body(message: str, fields: dict[str, str]) -> str:
    """The message, with the optional fields listed under it for the agents."""
    if not fields:
        return message
    lines = [f"{name.replace('_', ' ').capitalize()}: {value}" for name, value in fields.items()]
    return message.rstrip() + "\n\n--\n" + "\n".join(lines)


async def receive_form(
    *, post: FormPost, ip: str, origin: str | None, now: datetime | None = None
) -> int | None:
    """Records a post of the web form and opens its ticket (channel web); returns the
    ticket's id, or None for spam (the honeypot was filled: recorded, nothing opened)."""
    now = now or utcnow()
    check_origin(origin)
    spam = bool(post.honeypot.strip())
    # A bot's address is kept as it came; a person's is checked (422 naming email).
    email = post.email.strip().lower() if spam else text.normalize_email(post.email)
    fields = post.fields or {}
    row: dict[str, Any] = {
        "email": email[:254],
        "ip": ip[:45],
        "origin": (origin or "")[:200],
        "fields": json.dumps(fields),
        "created_at": now,
    }
    async with write_transaction():
        await _check_rate(email, ip, now)
        if spam:
            await FormSubmission.insert(FormSubmission(**row, spam=True))
            log.warning(
                "web form spam from %s (%s): the honeypot was filled; %s so far",
                ip,
                origin,
                await spam_count(),
            )
            return None
        contact = tickets.Contact(
            channel="web",
            identity=ContactIdentity(email=email, phone=post.phone or None, name=post.name),
            subject=post.subject,
            body=_body(post.message, fields),
        )
        ticket_id, interaction_id = await tickets.receive_contact(contact=contact, now=now)
        await FormSubmission.insert(
            FormSubmission(**row, ticket=ticket_id, interaction=interaction_id)
        )
        return ticket_id


async def form_fields(*, ticket_id: int) -> dict[str, str]:
    """The optional fields the web form brought to a ticket (a later post's value wins):
    what rules read as `ticket.form.<name>`."""
    merged: dict[str, str] = {}
    rows = (
        await FormSubmission.select(FormSubmission.fields)
        .where(FormSubmission.ticket == ticket_id)
        .order_by(FormSubmission.id)
        .output(load_json=True)
    )
    for row in rows:
        merged.update(row["fields"] or {})
    return merged


async def spam_count(*, since: datetime | None = None) -> int:
    """Posts refused as spam (the honeypot filled)."""
    where = [FormSubmission.spam.eq(True)]
    if since is not None:
        where.append(FormSubmission.created_at > since)
    return int(await FormSubmission.count().where(*where))
