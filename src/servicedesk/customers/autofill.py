"""Customer profile auto-fill from inbound contacts: the company from the email's domain
(not for free-mail domains, free_mail_domains.txt, nor reserved ones such as .example),
the name from the From display name. Phones are normalised to E.164 where every identity
is (service.normalize_identity).

Never over what a person typed: fields an agent or API client set are listed in the
customer's typed_fields and left alone; a name is only replaced while it is still the
placeholder taken from the address. Pure functions here: the caller (service.
identify_sender) reads what they need in the query it runs anyway, so a contact with
nothing to fill costs no extra round trip."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FREE_MAIL_FILE = Path(__file__).with_name("free_mail_domains.txt")
# RFC 2606 / 6761: names for tests and documentation, never a company.
RESERVED_ENDINGS = ("example", "invalid", "localhost", "test", "local")
# Second-level labels of country endings: acme.co.uk is Acme, not Co.
GENERIC_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc", "ne", "or"}


@functools.cache
def free_mail_patterns() -> tuple[frozenset[str], tuple[str, ...]]:
    """(whole domains, name prefixes of "name.*" lines) from the data file."""
    exact: set[str] = set()
    prefixes: list[str] = []
    for line in FREE_MAIL_FILE.read_text().splitlines():
        line = line.strip().lower()
        if not line or line.startswith("#"):
            continue
        if line.endswith(".*"):
            prefixes.append(line[:-1])  # "yahoo."
        else:
            exact.add(line)
    return frozenset(exact), tuple(prefixes)


def is_free_mail(domain: str) -> bool:
    domain = domain.lower().strip(".")
    exact, prefixes = free_mail_patterns()
    return domain in exact or any(domain.startswith(prefix) for prefix in prefixes)


def company_of(email: str | None) -> str | None:
    """The company an address's domain names ("ann@mail.acme.co.uk" → "Acme"), or None
    for free-mail and reserved domains."""
    if not email or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].lower().strip(".")
    labels = [label for label in domain.split(".") if label]
    if len(labels) < 2 or labels[-1] in RESERVED_ENDINGS or is_free_mail(domain):
        return None
    if len(labels) >= 3 and labels[-2] in GENERIC_SECOND_LEVEL and len(labels[-1]) == 2:
        name = labels[-3]
    else:
        name = labels[-2]
    return " ".join(part.capitalize() for part in name.replace("_", "-").split("-") if part)


def placeholder_name(address: str) -> str:
    """The name a customer gets when the contact tells none: the address's local part."""
    return address.split("@")[0]


def typed_fields(value: Any) -> list[str]:
    """The typed_fields column as read (a list, or JSON text from a hand-written query)."""
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return list(value or [])


@dataclass(frozen=True)
class Fill:
    name: str | None = None
    organization: str | None = None

    def __bool__(self) -> bool:
        return bool(self.name or self.organization)


def fill_for(
    *, row: dict[str, Any], email: str | None, display_name: str | None, address: str
) -> Fill:
    """What to fill on a known customer (`row`: their name, organization and typed_fields
    from the identification query) from a contact; empty when nothing is to change."""
    if "typed_fields" not in row:  # an importer's batch row: the importer fills itself
        return Fill()
    typed = typed_fields(row["typed_fields"])
    name = None
    wanted = (display_name or "").strip()
    current = row.get("name") or ""
    if (
        wanted
        and "name" not in typed
        and wanted != current
        and current in ("", placeholder_name(address))
    ):
        name = wanted
    organization = None
    if row.get("organization") is None and "organization" not in typed:
        organization = company_of(email)
    return Fill(name=name, organization=organization)
