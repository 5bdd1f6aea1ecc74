"""Likely duplicates of a customer, each with the reasons (docs/customers.md):

- the same email ignoring +tags (a+news@x.com and a@x.com);
- the same phone number (two extensions of one number);
- the same handle on two platforms (twitter:@ann and instagram:ann);
- the same name with an email at the same company domain (not a free-mail provider).

Read from identity.match and identity.domain (indexed), so a profile asks a few indexed
queries, never a scan. Customers already merged away are never suggested.
"""

from __future__ import annotations

import re
from typing import Any

from .service import get_customer, primary_identities
from .tables import Customer, CustomerIdentity

# Domains anyone can have an address at: the same name there says nothing.
FREE_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.fr",
        "yahoo.de",
        "ymail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.fr",
        "hotmail.de",
        "outlook.com",
        "outlook.de",
        "outlook.fr",
        "live.com",
        "live.co.uk",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "t-online.de",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "mail.com",
        "mail.ru",
        "yandex.ru",
        "yandex.com",
        "zoho.com",
        "qq.com",
        "163.com",
        "126.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "libero.it",
        "btinternet.com",
        "comcast.net",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
        "tuta.io",
        "gmx.at",
        "bluewin.ch",
    ]
)
LIMIT = 20


def same_name(name: str) -> str:
    """A name as compared: case and spacing do not count."""
    return re.sub(r"\s+", " ", name).strip().casefold()


def _reason(mine: dict[str, Any], theirs: dict[str, Any]) -> str:
    kind = mine["kind"]
    if kind == "email":
        if mine["key"] == theirs["key"]:
            return f"same email {theirs['value']}"
        return f"same email ignoring +tags: {theirs['value']} and {mine['value']}"
    if kind == "phone":
        return f"same phone number {mine['match'].split(':', 1)[1]}"
    platforms = sorted({mine["value"].split(":", 1)[0], theirs["value"].split(":", 1)[0]})
    handle = mine["match"].split(":", 1)[1]
    if len(platforms) == 1:
        return f"same handle @{handle} on {platforms[0]}"
    return f"same handle @{handle} on {' and '.join(platforms)}"


async def duplicates_of(*, customer_id: int) -> list[dict[str, Any]]:
    """The customer's likely duplicates: id, name, email, phone and reasons, oldest first."""
    customer = await get_customer(customer_id=customer_id)
    if customer["merged_into"] is not None:
        return []
    mine = await CustomerIdentity.select(
        CustomerIdentity.kind,
        CustomerIdentity.value,
        CustomerIdentity.key,
        CustomerIdentity.match,
        CustomerIdentity.domain,
    ).where(CustomerIdentity.customer == customer_id)
    reasons: dict[int, list[str]] = {}

    def add(other: int, reason: str) -> None:
        if reason not in reasons.setdefault(other, []):
            reasons[other].append(reason)

    by_match = {row["match"]: row for row in mine if row["match"]}
    if by_match:
        for row in await CustomerIdentity.select(
            CustomerIdentity.customer,
            CustomerIdentity.kind,
            CustomerIdentity.value,
            CustomerIdentity.key,
            CustomerIdentity.match,
        ).where(
            CustomerIdentity.match.is_in(list(by_match)),
            CustomerIdentity.customer != customer_id,
            CustomerIdentity.customer.merged_into.is_null(),
        ):
            add(row["customer"], _reason(by_match[row["match"]], row))
    name = same_name(customer["name"])
    domains = sorted(
        {r["domain"] for r in mine if r["kind"] == "email" and r["domain"] not in FREE_MAIL}
    )
    if name and domains:
        for row in await CustomerIdentity.select(
            CustomerIdentity.customer,
            CustomerIdentity.domain,
            CustomerIdentity.customer.name.as_alias("name"),
        ).where(
            CustomerIdentity.domain.is_in(domains),
            CustomerIdentity.kind == "email",
            CustomerIdentity.customer != customer_id,
            CustomerIdentity.customer.merged_into.is_null(),
        ):
            if same_name(row["name"]) == name:
                add(row["customer"], f"same name {customer['name'].strip()} at {row['domain']}")
    ids = sorted(reasons)[:LIMIT]
    if not ids:
        return []
    names = {
        row["id"]: row["name"]
        for row in await Customer.select(Customer.id, Customer.name).where(Customer.id.is_in(ids))
    }
    contacts = await primary_identities(ids)
    return [
        {
            "id": other,
            "name": names[other],
            "email": contacts[other].get("email"),
            "phone": contacts[other].get("phone"),
            "reasons": reasons[other],
        }
        for other in ids
    ]
