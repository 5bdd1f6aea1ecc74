"""Marketing consent and its history, the suppression list, and segments."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from servicedesk.actors import Actor
from servicedesk.customers.tables import Customer
from servicedesk.db import chunks, write_transaction
from servicedesk.errors import Conflict, Invalid, NotFound

from . import queries
from .schemas import Conditions
from .segments import compile_conditions
from .tables import ConsentChange, Segment, Suppression

# ---------------------------------------------------------------- consent


async def set_consent(
    *,
    customer_ids: Sequence[int],
    consent: bool,
    source: str,
    actor: Actor,
    now: datetime,
) -> None:
    """Gives or withdraws marketing consent for these customers, recording where it came
    from; a customer whose answer does not change gets no history row. A few statements
    per 500 customers (the importer and bulk updates call this too)."""
    async with write_transaction():
        for chunk in chunks(sorted(set(customer_ids))):
            changing = [
                int(row["id"])
                for row in await Customer.select(Customer.id).where(
                    Customer.id.is_in(list(chunk)), Customer.marketing_consent != consent
                )
            ]
            found = await Customer.count().where(Customer.id.is_in(list(chunk)))
            if found != len(chunk):
                raise NotFound("a customer does not exist", field="customer_id")
            if not changing:
                continue
            await Customer.update(
                {
                    Customer.marketing_consent: consent,
                    Customer.consent_source: source,
                    Customer.consent_at: now,
                }
            ).where(Customer.id.is_in(changing))
            await ConsentChange.insert(
                *[
                    ConsentChange(
                        customer=customer_id,
                        consent=consent,
                        source=source,
                        actor_label=actor.label,
                        created_at=now,
                    )
                    for customer_id in changing
                ]
            )


async def consent_of(*, customer_id: int) -> dict[str, Any]:
    """A customer's consent, the reasons they are suppressed, and the history."""
    row = (
        await Customer.select(
            Customer.marketing_consent, Customer.consent_source, Customer.consent_at
        )
        .where(Customer.id == customer_id)
        .first()
    )
    if not row:
        raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
    reasons = await Suppression.select(Suppression.reason).where(
        Suppression.customer == customer_id
    )
    history = (
        await ConsentChange.select(
            ConsentChange.consent,
            ConsentChange.source,
            ConsentChange.actor_label,
            ConsentChange.created_at,
        )
        .where(ConsentChange.customer == customer_id)
        .order_by(ConsentChange.id)
    )
    return {
        "customer_id": customer_id,
        "marketing_consent": row["marketing_consent"],
        "consent_source": row["consent_source"],
        "consent_at": row["consent_at"],
        "suppressed": [r["reason"] for r in reasons],
        "history": history,
    }


# ---------------------------------------------------------------- suppression


async def suppress(
    *,
    customer_ids: Sequence[int],
    reason: str,
    now: datetime,
    campaign_id: int | None = None,
) -> int:
    """Puts customers on the suppression list for `reason` (once per customer and
    reason); a bounce also marks their address as bouncing, which stops surveys too.
    Returns how many were newly suppressed."""
    if reason not in ("unsubscribed", "bounced", "complained"):
        raise Invalid(f"unknown suppression reason {reason!r}", field="reason")
    added = 0
    async with write_transaction():
        for chunk in chunks(sorted(set(customer_ids))):
            keys = [f"{customer_id}:{reason}" for customer_id in chunk]
            known = {
                row["key"]
                for row in await Suppression.select(Suppression.key).where(
                    Suppression.key.is_in(keys)
                )
            }
            new = [c for c, key in zip(chunk, keys, strict=True) if key not in known]
            if new:
                await Suppression.insert(
                    *[
                        Suppression(
                            customer=customer_id,
                            reason=reason,
                            key=f"{customer_id}:{reason}",
                            campaign=campaign_id,
                            created_at=now,
                        )
                        for customer_id in new
                    ]
                )
                added += len(new)
            if reason == "bounced":
                await Customer.update({Customer.email_bounced: True}).where(
                    Customer.id.is_in(list(chunk))
                )
    return added


# ---------------------------------------------------------------- segments


def _stored(conditions: Conditions) -> str:
    return json.dumps(conditions.model_dump())


async def create_segment(*, name: str, conditions: Conditions, actor: Actor, now: datetime) -> int:
    compile_conditions(conditions, now=now)  # refuses a bad condition before it is saved
    async with write_transaction():
        if await Segment.exists().where(Segment.name == name):
            raise Conflict(f"a segment named {name!r} exists", field="name")
        rows = await Segment.insert(
            Segment(
                name=name,
                conditions=_stored(conditions),
                created_by=actor.agent_id,
                created_at=now,
                updated_at=now,
            )
        ).returning(Segment.id)
    return int(rows[0]["id"])


async def get_segment(*, segment_id: int) -> dict[str, Any]:
    row = await Segment.select().where(Segment.id == segment_id).output(load_json=True).first()
    if not row:
        raise NotFound(f"segment {segment_id} does not exist", field="segment_id")
    return dict(row)


async def list_segments() -> list[dict[str, Any]]:
    return list(await Segment.select().order_by(Segment.name).output(load_json=True))


async def update_segment(*, segment_id: int, changes: dict[str, Any], now: datetime) -> None:
    await get_segment(segment_id=segment_id)
    values: dict[Any, Any] = {Segment.updated_at: now}
    if changes.get("conditions") is not None:
        conditions = Conditions.model_validate(changes["conditions"])
        compile_conditions(conditions, now=now)
        values[Segment.conditions] = _stored(conditions)
    async with write_transaction():
        if changes.get("name"):
            if await Segment.exists().where(
                Segment.name == changes["name"], Segment.id != segment_id
            ):
                raise Conflict(f"a segment named {changes['name']!r} exists", field="name")
            values[Segment.name] = changes["name"]
        await Segment.update(values).where(Segment.id == segment_id)


async def delete_segment(*, segment_id: int) -> None:
    from .tables import Campaign

    await get_segment(segment_id=segment_id)
    if await Campaign.exists().where(Campaign.segment == segment_id):
        raise Conflict("campaigns use this segment; it is kept", field="segment_id")
    await Segment.delete().where(Segment.id == segment_id)


async def members(
    *, conditions: Conditions, now: datetime, after_id: int = 0, limit: int = 50
) -> dict[str, Any]:
    """The count of customers matching the conditions now, and a page of them."""
    where, args = compile_conditions(conditions, now=now)
    rows = await queries.segment_members(where=where, args=args, after_id=after_id, limit=limit)
    return {
        "count": await queries.segment_count(where=where, args=args),
        "items": rows,
        "next": str(rows[-1]["id"]) if len(rows) == limit else None,
    }


async def member_ids(*, segment_id: int, now: datetime) -> list[int]:
    """Every member of a saved segment now (for an NPS send to it), in id order."""
    where, args = compile_conditions(await segment_conditions(segment_id=segment_id), now=now)
    found: list[int] = []
    while page := await queries.segment_members(
        where=where, args=args, after_id=found[-1] if found else 0, limit=5000
    ):
        found.extend(int(row["id"]) for row in page)
    return found


async def segment_conditions(*, segment_id: int) -> Conditions:
    return Conditions.model_validate((await get_segment(segment_id=segment_id))["conditions"])
