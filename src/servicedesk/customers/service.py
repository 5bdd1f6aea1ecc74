"""Customers: identify an inbound contact by any identity, profiles, merge (timeline.py:
the timeline; journey.py: journey stages; autofill.py: profile auto-fill)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from servicedesk import writes
from servicedesk.clock import utcnow
from servicedesk.db import fetch, fetch_one, matches_text, write_transaction
from servicedesk.errors import Invalid, NotFound
from servicedesk.outbox import service as outbox

from . import autofill, queries
from .identities import KINDS as IDENTITY_KINDS
from .identities import Identity, list_identities, normalize_identity
from .identities import identity as make_identity
from .tables import Customer, CustomerIdentity, Organization

__all__ = ["IDENTITY_KINDS", "normalize_identity"]


@dataclass(frozen=True)
class ContactIdentity:
    """What an inbound contact tells us about who wrote."""

    email: str | None = None
    phone: str | None = None
    social: str | None = None  # "network:handle", e.g. "twitter:@ann"
    external_id: str | None = None
    name: str | None = None

    def identities(self) -> list[Identity]:
        pairs = [("email", self.email), ("phone", self.phone), ("social", self.social)]
        return [make_identity(kind, value) for kind, value in pairs if value]

    def identity_keys(self) -> list[str]:
        """The identities' keys ("kind:normalized value")."""
        return [i.key for i in self.identities()]


async def live_customer(customer_id: int) -> int:
    """Follows merges to the customer that absorbed this one."""
    while True:
        row = await Customer.select(Customer.merged_into).where(Customer.id == customer_id).first()
        if not row or row["merged_into"] is None:
            return customer_id
        customer_id = row["merged_into"]


BY_EXTERNAL_ID = (Customer, "external_id")  # identity-map kinds (servicedesk.writes)
BY_KEY = (CustomerIdentity, "key")


async def _by_external_id(external_id: str) -> int | None:
    row = await writes.get(
        BY_EXTERNAL_ID,
        external_id,
        partial(fetch_one, queries.CUSTOMER_BY_EXTERNAL_ID, external_id),
    )
    return await live_customer(row["id"]) if row else None


async def _identity_owners(
    identities: list[Identity],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """The known ones among a contact's identities with their customer and its
    merged_into, in one query, oldest identity first; and, live and when the contact has
    an email, the identities that look like it (_email_look_alikes), fetched by the same
    query (None: not fetched)."""
    keys = [i.key for i in identities]
    if not keys:
        return [], None
    if writes.current() is None:
        match = next((i.match for i in identities if i.kind == "email"), None)
        if match is None:
            return await fetch(queries.identity_owners(len(keys)), *keys), None
        rows = await fetch(queries.identity_owners(len(keys), look_alikes=True), *keys, match)
        wanted = set(keys)
        return [r for r in rows if r["key"] in wanted], [r for r in rows if r["key"] not in wanted]
    # In a unit of work, from its identity map (the importer fills it for a batch).
    found = [await writes.get(BY_KEY, key, partial(_owner_of, key)) for key in keys]
    return sorted((row for row in found if row), key=lambda row: int(row["id"])), None


async def _owner_of(key: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await identity_owners_query([key]).first()
    return row


def identity_owners_query(keys: list[str]) -> Any:
    """The identities among `keys` with their customer and its merged_into, oldest first."""
    return (
        CustomerIdentity.select(
            CustomerIdentity.id,
            CustomerIdentity.key,
            CustomerIdentity.customer,
            CustomerIdentity.customer.merged_into.as_alias("merged_into"),
        )
        .where(CustomerIdentity.key.is_in(keys))
        .order_by(CustomerIdentity.id)
    )


async def identity_holders(keys: list[str]) -> dict[str, int]:
    """The live customer (merges followed, as find_or_create_customer does) holding each
    known identity among `keys` ("kind:value"), in one query for the lot."""
    if not keys:
        return {}
    holders: dict[str, int] = {}
    for row in await fetch(queries.identity_owners(len(keys)), *keys):
        holders[row["key"]] = (
            int(row["customer"])
            if row["merged_into"] is None
            else await live_customer(row["merged_into"])
        )
    return holders


async def _owner(owners: list[dict[str, Any]]) -> int | None:
    """The live customer the first of these identities belongs to."""
    if not owners:
        return None
    first = owners[0]
    if first["merged_into"] is None:
        return int(first["customer"])
    return await live_customer(first["merged_into"])


async def find_customer(*, identity: ContactIdentity) -> int | None:
    """The customer any of these identities (or the external id) belongs to."""
    if identity.external_id:
        found = await _by_external_id(identity.external_id)
        if found is not None:
            return found
    owners, look_alikes = await _identity_owners(identity.identities())
    return await _owner(owners or await _email_look_alikes(identity, look_alikes))


BY_MATCH = (CustomerIdentity, "match")


async def _email_look_alikes(
    identity: ContactIdentity, fetched: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The oldest identity whose email matches ignoring +tags (a+tag@x.com and a@x.com),
    as _identity_owners gives it, when the contact has an email nobody holds as typed.
    `fetched`: the look-alikes _identity_owners already read, oldest first."""
    if not identity.email:
        return []
    if fetched is not None:
        return fetched[:1]
    match = make_identity("email", identity.email).match

    async def load() -> dict[str, Any] | None:
        return await fetch_one(queries.EMAIL_LOOK_ALIKE, match)

    found = await writes.get(BY_MATCH, match, load)
    return [found] if found else []


@dataclass(frozen=True)
class Sender:
    """Who sent a contact: the customer, with the name and first email a ticket summary
    shows when the identification already knew them (None: not known without a read)."""

    id: int
    name: str | None = None
    email: str | None = None


async def find_or_create_customer(*, identity: ContactIdentity, now: datetime | None = None) -> int:
    """Identifies the sender of a contact, creating the customer on first contact and
    learning identities it did not know yet (an email customer who now phones)."""
    return (await identify_sender(identity=identity, now=now)).id


async def identify_sender(*, identity: ContactIdentity, now: datetime | None = None) -> Sender:
    """find_or_create_customer, also telling the customer's name and first email where the
    queries it runs anyway tell them (a new customer; a known one found by an identity)."""
    identities = identity.identities()
    if not identities and not identity.external_id:
        raise Invalid(
            "a contact needs an email, phone, social handle or external id", field="customer"
        )
    async with write_transaction():
        # One query tells who the sender is, which identities are new, and the customer's
        # name and first email.
        owners, look_alikes = await _identity_owners(identities)
        customer_id = None
        sender = None
        if identity.external_id:
            customer_id = await _by_external_id(identity.external_id)
        if customer_id is None:
            customer_id = await _owner(owners)
            if customer_id is not None and owners[0]["customer"] == customer_id:
                name = await _auto_fill(customer_id, owners[0], identity)
                sender = Sender(customer_id, name, owners[0].get("email"))
        if customer_id is None:
            customer_id = await _owner(await _email_look_alikes(identity, look_alikes))
        if customer_id is None:
            address = identity.email or identity.phone or identity.social or ""
            name = identity.name or autofill.placeholder_name(address)
            created_at = now or utcnow()
            customer: dict[str, Any] = {
                "name": name,
                "external_id": identity.external_id,
                "created_at": created_at,
            }
            company = autofill.company_of(identity.email) if writes.current() is None else None
            if company:  # live only: the importer's lines name their organization
                customer["organization"] = await _organization_id(company)
            # need_id: in the importer's batch too, as its identities name it.
            customer_id = await writes.insert(Customer, customer, need_id=True)
            sender = Sender(customer_id, name, None)
            if identity.external_id:
                writes.remember(BY_EXTERNAL_ID, identity.external_id, {"id": customer_id})
            if writes.current() is None:  # live, not an import replaying history
                await outbox.emit_event(
                    topic="customer.created",
                    payload={"customer_id": customer_id},
                    ticket_id=None,
                    now=created_at,
                )
        # Identities another customer holds stay theirs. Two first contacts racing on the
        # same identity: the unique key refuses the second insert and its transaction is
        # retried (receive_contact_once), finding the customer the first one created.
        known = {row["key"] for row in owners}
        new = [i.row(customer_id) for i in identities if i.key not in known]
        # Written with the change's later writes: a unique key the insert violates (a
        # race) fails the change there, and receive_contact_once retries it.
        await writes.insert_later(CustomerIdentity, new, need_id=True)
        for row in new:  # the importer's batch reads them from its identity map
            writes.remember(BY_KEY, row["key"], row | {"merged_into": None})
            if row["kind"] == "email":
                writes.remember(BY_MATCH, row["match"], row | {"merged_into": None})
        if sender is None:
            return Sender(customer_id)
        if sender.email is None:  # the first email may be the one just learnt
            emails = [str(row["value"]) for row in new if row["kind"] == "email"]
            sender = Sender(customer_id, sender.name, emails[0] if emails else None)
        return sender


async def _auto_fill(customer_id: int, row: dict[str, Any], identity: ContactIdentity) -> Any:
    """Fills what the contact tells and the profile lacks (autofill.fill_for); returns the
    customer's name. A query only when there is something to fill."""
    if writes.current() is not None:
        return row.get("name")
    fill = autofill.fill_for(
        row=row,
        email=identity.email,
        display_name=identity.name,
        address=identity.email or identity.phone or identity.social or "",
    )
    if not fill:
        return row.get("name")
    values: dict[Any, Any] = {}
    if fill.name:
        values[Customer.name] = fill.name
    if fill.organization:
        values[Customer.organization] = await _organization_id(fill.organization)
    await Customer.update(values).where(Customer.id == customer_id)
    return fill.name or row.get("name")


async def get_customer(*, customer_id: int) -> dict[str, Any]:
    row = (
        await Customer.select(
            *Customer.all_columns(), Customer.organization.name.as_alias("organization_name")
        )
        .where(Customer.id == customer_id)
        .output(load_json=True)
        .first()
    )
    if not row:
        raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
    row["identities"] = await list_identities(customer_id=customer_id)
    return row


async def primary_identities(customer_ids: list[int]) -> dict[int, dict[str, str]]:
    """The first email and phone of each customer, for lists."""
    found: dict[int, dict[str, str]] = {cid: {} for cid in customer_ids}
    if not customer_ids:
        return found
    rows = (
        await CustomerIdentity.select(
            CustomerIdentity.customer, CustomerIdentity.kind, CustomerIdentity.value
        )
        .where(CustomerIdentity.customer.is_in(customer_ids))
        .order_by(CustomerIdentity.id)
    )
    for row in rows:
        found[row["customer"]].setdefault(row["kind"], row["value"])
    return found


async def search_customers(*, query: str = "", after_id: int = 0, limit: int = 50) -> list[dict]:
    """Customers whose name or any identity contains `query`, in id order."""
    where: list[Any] = [Customer.merged_into.is_null(), Customer.id > after_id]
    if query:
        pattern = f"%{query.lower()}%"
        by_identity = CustomerIdentity.select(CustomerIdentity.customer).where(
            CustomerIdentity.value.like(pattern)
        )
        where.append(matches_text(Customer.name, pattern) | Customer.id.is_in(by_identity))
    return (
        await Customer.select(
            Customer.id,
            Customer.name,
            Customer.tags,
            Customer.organization.name.as_alias("organization_name"),
        )
        .where(*where)
        .order_by(Customer.id)
        .limit(limit)
        .output(load_json=True)
    )


async def update_customer(
    *, customer_id: int, changes: dict[str, Any], typed: bool = False
) -> None:
    """Changes profile fields. `typed`: a person typed them (an agent, an API client);
    contact auto-fill then never overwrites them (customers.autofill.FILLED)."""
    current = await get_customer(customer_id=customer_id)
    values: dict[Any, Any] = {}
    # Marketing consent changes through marketing.service.set_consent, which keeps its history.
    for key in ("name", "notes", "tags", "surveys_opt_out", "email_bounced"):
        if key in changes:
            values[getattr(Customer, key)] = changes[key]
    touched = {"name", "organization"} & set(changes) if typed else set()
    if touched - set(current["typed_fields"] or []):
        values[Customer.typed_fields] = sorted(set(current["typed_fields"] or []) | touched)
    async with write_transaction():
        if "organization" in changes:
            values[Customer.organization] = await _organization_id(changes["organization"])
        if values:
            await Customer.update(values).where(Customer.id == customer_id)


async def mark_email_bounced(*, customer_ids: list[int]) -> None:
    """The mail server refused these customers' address for good: no more surveys or
    marketing to it (replies to their own requests still go out)."""
    if customer_ids:
        await Customer.update({Customer.email_bounced: True}).where(Customer.id.is_in(customer_ids))


async def _organization_id(name: str | None) -> int | None:
    if not name:
        return None
    row = await Organization.select(Organization.id).where(Organization.name == name).first()
    if row:
        return int(row["id"])
    rows = await Organization.insert(Organization(name=name))
    return int(rows[0]["id"])
