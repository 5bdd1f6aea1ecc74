"""Merging two customers: one transaction moves the whole history of `other` into `keep`
and leaves `other` as a pointer (merged_into) that every lookup follows.

What moves and how (docs/customers.md, "Merge"):

- every row of every table that names a customer (tickets, interactions, identities,
  metric facts, surveys and answers, consent history, the audit trail, and any table a
  plugin adds): found from the tables' foreign keys, so none is forgotten;
- suppressions: one per customer and reason, the earlier one kept;
- campaign recipients: keyed (campaign, customer); when both got a campaign, the other's
  row keeps its history under a key of its own and the survivor's key still stops a
  second send;
- consent, most protective first: if either customer's current answer is a withdrawal
  (no consent, with a source), the survivor has no consent; else consent if either gave
  it; surveys opt-out and bounced mail: either;
- tags and notes joined; name, organization and external id kept, or taken from `other`
  where the survivor has none;
- then FCR's repeat contacts are worked out again over the joined history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.columns import ForeignKey
from piccolo.conf.apps import Finder
from piccolo.table import Table

from servicedesk.actors import Actor
from servicedesk.clock import as_utc, utcnow
from servicedesk.cx import facts
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, NotFound
from servicedesk.marketing.tables import CampaignRecipient, ConsentChange, Suppression
from servicedesk.sales import merges as sales_merges
from servicedesk.sales.tables import Lead
from servicedesk.tickets.tables import Ticket, TicketEvent

from .identities import log_event
from .tables import Customer

# Moved by rules of their own: their unique keys name the customer.
KEYED = (Suppression, CampaignRecipient, Lead)


def customer_references() -> list[tuple[type[Table], ForeignKey]]:
    """Every (table, column) that references a customer, in all registered apps."""
    found = []
    for table in Finder().get_table_classes():
        if table in KEYED:
            continue
        for column in table._meta.foreign_key_columns:
            if column._foreign_key_meta.resolved_references is Customer:
                found.append((table, column))
    return found


async def _customer(customer_id: int, field: str) -> dict[str, Any]:
    row = await Customer.select().where(Customer.id == customer_id).output(load_json=True).first()
    if not row:
        raise NotFound(f"customer {customer_id} does not exist", field=field)
    if row["merged_into"] is not None:
        raise Conflict(
            f"customer {customer_id} was already merged into {row['merged_into']}", field=field
        )
    return row


async def merge_customers(
    *, keep_id: int, other_id: int, actor: Actor, now: datetime | None = None
) -> dict[str, int]:
    """Moves everything of `other` into `keep` (one transaction); returns how many rows of
    each table moved."""
    now = now or utcnow()
    if keep_id == other_id:
        raise Conflict("a customer cannot be merged into itself", field="other_id")
    async with write_transaction():
        keep = await _customer(keep_id, "customer_id")
        other = await _customer(other_id, "other_id")
        tickets = [
            row["id"] for row in await Ticket.select(Ticket.id).where(Ticket.customer == other_id)
        ]
        moved = {
            "suppression": await _move_suppressions(keep_id, other_id),
            "campaign_recipient": await _move_recipients(keep_id, other_id),
            "lead": await sales_merges.move_customer_leads(
                keep_id=keep_id, other_id=other_id, actor=actor, now=now
            ),
        }
        for table, column in customer_references():
            count = await table.count().where(column == other_id)
            if count:
                await table.update({column: keep_id}).where(column == other_id)
                name = table._meta.tablename
                moved[name] = moved.get(name, 0) + count
        await TicketEvent.insert(
            *[
                TicketEvent(
                    ticket=ticket_id,
                    actor_kind=actor.kind,
                    actor_agent=actor.agent_id,
                    actor_label=actor.label,
                    field="customer",
                    old_value=str(other_id),
                    new_value=str(keep_id),
                    created_at=now,
                )
                for ticket_id in tickets
            ]
        )
        await _merge_profile(keep, other, actor, now)
        await Customer.update({Customer.merged_into: keep_id}).where(Customer.id == other_id)
        moved = {name: count for name, count in sorted(moved.items()) if count}
        await log_event(keep_id, actor, "merged", {"other_id": other_id, "moved": moved}, now)
        await log_event(other_id, actor, "merged_into", {"customer_id": keep_id}, now)
        await facts.recompute_repeat_contacts(customer_id=keep_id)
        return moved


async def _move_suppressions(keep_id: int, other_id: int) -> int:
    """One suppression per customer and reason: the earlier of the two is kept."""
    rows = await Suppression.select().where(Suppression.customer.is_in([keep_id, other_id]))
    kept = {row["reason"]: row for row in rows if row["customer"] == keep_id}
    for row in (r for r in rows if r["customer"] == other_id):
        mine = kept.get(row["reason"])
        if mine is not None:
            await Suppression.delete().where(Suppression.id == row["id"])
            if as_utc(row["created_at"]) < as_utc(mine["created_at"]):
                earlier: dict[Any, Any] = {
                    Suppression.created_at: row["created_at"],
                    Suppression.campaign: row["campaign"],
                }
                await Suppression.update(earlier).where(Suppression.id == mine["id"])
        else:
            await Suppression.update(
                {Suppression.customer: keep_id, Suppression.key: f"{keep_id}:{row['reason']}"}
            ).where(Suppression.id == row["id"])
    return sum(1 for r in rows if r["customer"] == other_id)


async def _move_recipients(keep_id: int, other_id: int) -> int:
    """The other's campaign emails become the survivor's (the frequency cap counts them;
    a campaign either got is not sent again)."""
    rows = await CampaignRecipient.select(
        CampaignRecipient.id, CampaignRecipient.campaign, CampaignRecipient.customer
    ).where(CampaignRecipient.customer.is_in([keep_id, other_id]))
    had = {row["campaign"] for row in rows if row["customer"] == keep_id}
    for row in (r for r in rows if r["customer"] == other_id):
        campaign = row["campaign"]
        key = f"{campaign}:{keep_id}" + (f":m{other_id}" if campaign in had else "")
        await CampaignRecipient.update(
            {CampaignRecipient.customer: keep_id, CampaignRecipient.key: key}
        ).where(CampaignRecipient.id == row["id"])
    return sum(1 for r in rows if r["customer"] == other_id)


def _withdrawn(customer: dict[str, Any]) -> bool:
    return not customer["marketing_consent"] and bool(customer["consent_source"])


def merged_consent(keep: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """The survivor's consent answer: a withdrawal by either wins, then a consent by either
    (the later answer of that kind gives its source and time); neither answered: none."""
    fields = ("marketing_consent", "consent_source", "consent_at")
    for decides in (_withdrawn, lambda c: bool(c["marketing_consent"])):
        answers = [c for c in (keep, other) if decides(c)]
        if answers:
            latest = max(answers, key=lambda c: as_utc(c["consent_at"]) if c["consent_at"] else 0)
            return {name: latest[name] for name in fields}
    return {name: keep[name] for name in fields}


async def _merge_profile(
    keep: dict[str, Any], other: dict[str, Any], actor: Actor, now: datetime
) -> None:
    consent = merged_consent(keep, other)
    changes: dict[Any, Any] = {
        Customer.notes: "\n".join(n for n in (keep["notes"], other["notes"]) if n),
        Customer.tags: sorted(set(keep["tags"] or []) | set(other["tags"] or [])),
        Customer.surveys_opt_out: keep["surveys_opt_out"] or other["surveys_opt_out"],
        Customer.email_bounced: keep["email_bounced"] or other["email_bounced"],
        **{getattr(Customer, name): value for name, value in consent.items()},
    }
    for name in ("name", "organization"):
        if not keep[name] and other[name]:
            changes[getattr(Customer, name)] = other[name]
    if not keep["external_id"] and other["external_id"]:
        await Customer.update({Customer.external_id: None}).where(Customer.id == other["id"])
        changes[Customer.external_id] = other["external_id"]
    await Customer.update(changes).where(Customer.id == keep["id"])
    if consent["marketing_consent"] != keep["marketing_consent"]:
        await ConsentChange.insert(
            ConsentChange(
                customer=keep["id"],
                consent=consent["marketing_consent"],
                source="merge",
                actor_label=actor.label,
                created_at=now,
            )
        )
