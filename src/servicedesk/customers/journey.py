"""The customer journey: each customer's stage (one of settings.journey_stages, in funnel
order), set by agents, API clients, rules and the importer, with its history in
journey_change (who or what, when), and the funnel report over that history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from servicedesk.actors import Actor
from servicedesk.clock import utcnow
from servicedesk.db import write_transaction
from servicedesk.errors import Invalid, NotFound
from servicedesk.settings import get_settings

from .tables import Customer, JourneyChange

SOURCES = ("agent", "api", "rule", "import", "system")


def stages() -> tuple[str, ...]:
    """The configured stages, in funnel order."""
    return get_settings().journey_stage_list()


def check_stage(stage: str | None, field: str = "journey_stage") -> str | None:
    """The stage, or a 422 naming `field` when it is not one of the configured stages
    (None clears the stage)."""
    if stage is None:
        return None
    known = stages()
    if stage not in known:
        raise Invalid(f"{stage!r} is not a journey stage; one of {', '.join(known)}", field=field)
    return stage


def source_of(actor: Actor, via: str | None = None) -> str:
    """The history's `source` for an actor: a rule, the system (demo, importer) or a person
    signed in (agent) or using a token (api)."""
    if actor.kind == "rule":
        return "rule"
    if actor.kind == "agent":
        return "api" if via == "token" else "agent"
    return "system"


async def set_stage(
    *,
    customer_id: int,
    stage: str | None,
    actor: Actor,
    source: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Moves the customer to `stage` (None: no stage) and records the change; a customer
    already there is left alone (no history row). Returns whether it changed."""
    check_stage(stage)
    source = source or source_of(actor)
    if source not in SOURCES:
        raise Invalid(f"source is one of {', '.join(SOURCES)}", field="source")
    now = now or utcnow()
    async with write_transaction():
        row = (
            await Customer.select(Customer.journey_stage).where(Customer.id == customer_id).first()
        )
        if row is None:
            raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
        if row["journey_stage"] == stage:
            return False
        await Customer.update({Customer.journey_stage: stage}).where(Customer.id == customer_id)
        await JourneyChange.insert(
            JourneyChange(
                customer=customer_id,
                from_stage=row["journey_stage"],
                to_stage=stage,
                source=source,
                actor_agent=actor.agent_id,
                actor_label=actor.label,
                created_at=now,
            )
        )
    return True


async def history(*, customer_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """The customer's stage changes, newest first, with the agent's name."""
    return (
        await JourneyChange.select(
            *JourneyChange.all_columns(),
            JourneyChange.actor_agent.name.as_alias("agent_name"),
        )
        .where(JourneyChange.customer == customer_id)
        .order_by(JourneyChange.created_at, JourneyChange.id, ascending=False)
        .limit(limit)
    )


# ---------------------------------------------------------------- the funnel report


async def funnel(*, start: datetime, end: datetime) -> dict[str, Any]:
    """Stage transitions in [start, end): per stage how many changes entered it and left
    it, the transitions from → to, and the conversion from each stage to the next one of
    the configured order: of the customers who entered a stage in the period, the share
    who entered the next stage later in the period (directly or not)."""
    if end <= start:
        raise Invalid("to is after from", field="to")
    rows = (
        await JourneyChange.select(
            JourneyChange.customer, JourneyChange.from_stage, JourneyChange.to_stage
        )
        .where(JourneyChange.created_at >= start, JourneyChange.created_at < end)
        .order_by(JourneyChange.created_at, JourneyChange.id)
    )
    order = stages()
    entered: dict[str, int] = {}
    left: dict[str, int] = {}
    transitions: dict[tuple[str | None, str | None], int] = {}
    # Per customer, the stages entered so far in the period, for the conversion.
    reached: dict[int, list[str]] = {}
    cohort: dict[str, set[int]] = {}
    converted: dict[str, set[int]] = {}
    following = dict(zip(order, order[1:], strict=False))
    for row in rows:
        old, new, customer = row["from_stage"], row["to_stage"], row["customer"]
        if new is not None:
            entered[new] = entered.get(new, 0) + 1
        if old is not None:
            left[old] = left.get(old, 0) + 1
        transitions[(old, new)] = transitions.get((old, new), 0) + 1
        if new is None:
            continue
        seen = reached.setdefault(customer, [])
        for earlier in seen:
            if following.get(earlier) == new:
                converted.setdefault(earlier, set()).add(customer)
        cohort.setdefault(new, set()).add(customer)
        seen.append(new)
    known = list(order) + sorted(
        {s for s in (*entered, *left) if s not in order}  # stages no longer configured
    )
    per_stage = []
    for stage in known:
        nxt = following.get(stage)
        base = len(cohort.get(stage, ()))
        moved = len(converted.get(stage, ()))
        per_stage.append(
            {
                "stage": stage,
                "entered": entered.get(stage, 0),
                "left": left.get(stage, 0),
                "next_stage": nxt,
                "customers_entered": base,
                "converted_to_next": moved if nxt else None,
                "conversion_to_next": round(moved / base, 4) if nxt and base else None,
            }
        )
    return {
        "period_start": start,
        "period_end": end,
        "changes": len(rows),
        "stages": per_stage,
        "transitions": [
            {"from_stage": old, "to_stage": new, "count": count}
            for (old, new), count in sorted(
                transitions.items(), key=lambda item: (-item[1], str(item[0][0]), str(item[0][1]))
            )
        ],
    }
