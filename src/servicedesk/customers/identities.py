"""A customer's identities: how each kind is written, compared and looked up, and the list
agents edit (add, remove, with an audit entry each).

Three forms of one identity (docs/channels.md, "Identities"):

- `value`: as typed (an email keeps its case and +tag); a phone in E.164 (`;ext=12` when
  it has an extension); a handle as `platform:handle`.
- `key` ("kind:..."), unique: who holds the identity. Email and handles case-insensitive,
  phones E.164 with the extension.
- `match` (not unique): the look-alike form. An email without its +tag (a+tag@x.com and
  a@x.com), a phone without its extension, a handle without its platform. An inbound
  email whose exact key nobody holds falls back to it; duplicate suggestions compare it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers

from servicedesk import text, writes
from servicedesk.actors import Actor
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, Invalid, NotFound
from servicedesk.settings import get_settings

from .tables import Customer, CustomerEvent, CustomerIdentity

KINDS = ("email", "phone", "social")
PLATFORM = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,19}$")


@dataclass(frozen=True)
class Identity:
    kind: str
    value: str  # as shown
    key: str  # unique: "kind:normalized"
    match: str  # look-alike form
    domain: str = ""  # an email's domain

    def row(self, customer_id: int) -> dict[str, Any]:
        return {
            "customer": customer_id,
            "kind": self.kind,
            "value": self.value,
            "key": self.key,
            "match": self.match,
            "domain": self.domain,
        }


def parse_phone(value: str, field: str = "phone") -> phonenumbers.PhoneNumber:
    """A phone number in international form, or national in PHONE_REGION."""
    region = get_settings().phone_region.upper() or None
    where = "international form" + (f" or a national number of {region}" if region else "")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise Invalid(f"{value!r} is not a phone number in {where}", field=field) from exc
    if not phonenumbers.is_possible_number(number):
        raise Invalid(f"{value!r} is not a phone number in {where}", field=field)
    return number


def e164(value: str, field: str = "phone") -> str:
    """The number in E.164 (no extension)."""
    number = parse_phone(value, field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def split_social(value: str) -> tuple[str, str]:
    """(platform, handle) of "platform:handle"; the platform lower case."""
    platform, sep, handle = value.strip().partition(":")
    platform, handle = platform.strip().lower(), handle.strip()
    if not sep or not handle or not PLATFORM.match(platform):
        raise Invalid(
            "a social identity is written platform:handle, e.g. twitter:@ann", field="social"
        )
    return platform, handle


def _email_parts(value: str) -> tuple[str, str]:
    local, sep, domain = value.strip().rpartition("@")
    if not sep or not local or not domain:
        raise Invalid(f"{value!r} is not an email address", field="email")
    return local, domain.lower()


def identity(kind: str, value: str) -> Identity:
    """The identity's three forms; Invalid naming the kind when it cannot be one."""
    value = value.strip()
    if kind == "email":
        local, domain = _email_parts(value)
        base = local.lower().split("+", 1)[0] or local.lower()
        return Identity(
            "email", value, f"email:{text.normalize_email(value)}", f"email:{base}@{domain}", domain
        )
    if kind == "phone":
        number = parse_phone(value)
        plain = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        shown = f"{plain};ext={number.extension}" if number.extension else plain
        return Identity("phone", shown, f"phone:{shown}", f"phone:{plain}")
    if kind == "social":
        platform, handle = split_social(value)
        shown = f"{platform}:{handle}"
        return Identity(
            "social", shown, f"social:{shown.lower()}", f"handle:{handle.lower().lstrip('@')}"
        )
    raise Invalid(f"unknown identity kind {kind!r}", field="kind")


def normalize_identity(kind: str, value: str) -> str:
    """The identity's key without its kind: lower-case email and handle, E.164 phone."""
    return identity(kind, value).key.split(":", 1)[1]


async def list_identities(*, customer_id: int) -> list[dict[str, Any]]:
    return list(
        await CustomerIdentity.select(
            CustomerIdentity.id, CustomerIdentity.kind, CustomerIdentity.value
        )
        .where(CustomerIdentity.customer == customer_id)
        .order_by(CustomerIdentity.id)
    )


async def log_event(
    customer_id: int, actor: Actor, action: str, detail: dict[str, Any], now: datetime
) -> None:
    row = {
        "customer": customer_id,
        "actor_kind": actor.kind,
        "actor_label": actor.label,
        "action": action,
        "detail": json.dumps(detail, default=str),
        "created_at": now,
    }
    await writes.insert_later(CustomerEvent, [row])


async def _live(customer_id: int) -> None:
    row = await Customer.select(Customer.merged_into).where(Customer.id == customer_id).first()
    if not row:
        raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
    if row["merged_into"] is not None:
        raise Conflict(
            f"customer {customer_id} was merged into {row['merged_into']}", field="customer_id"
        )


async def add_identity(
    *, customer_id: int, kind: str, value: str, actor: Actor | None = None, now: datetime
) -> dict[str, Any]:
    """Attaches an identity; refuses one that belongs to another customer (409 naming the
    kind). Adding one the customer has already changes nothing. Returns its row."""
    new = identity(kind, value)
    async with write_transaction():
        await _live(customer_id)
        owner = (
            await CustomerIdentity.select(CustomerIdentity.id, CustomerIdentity.customer)
            .where(CustomerIdentity.key == new.key)
            .first()
        )
        if owner:
            if owner["customer"] != customer_id:
                raise Conflict(
                    f"{new.value} already belongs to customer {owner['customer']}", field=kind
                )
            return {"id": owner["id"], "kind": kind, "value": new.value}
        row = new.row(customer_id)
        await writes.insert(CustomerIdentity, row)
        if actor is not None:
            await log_event(
                customer_id, actor, "identity_added", {"kind": kind, "value": new.value}, now
            )
        return {"id": row["id"], "kind": kind, "value": new.value}


async def remove_identity(
    *, customer_id: int, identity_id: int, actor: Actor, now: datetime
) -> None:
    """Detaches an identity (a later contact from it then makes or finds another customer)."""
    async with write_transaction():
        await _live(customer_id)
        row = (
            await CustomerIdentity.select(CustomerIdentity.kind, CustomerIdentity.value)
            .where(CustomerIdentity.id == identity_id, CustomerIdentity.customer == customer_id)
            .first()
        )
        if not row:
            raise NotFound(
                f"customer {customer_id} has no identity {identity_id}", field="identity_id"
            )
        await CustomerIdentity.delete().where(CustomerIdentity.id == identity_id)
        await log_event(customer_id, actor, "identity_removed", dict(row), now)
