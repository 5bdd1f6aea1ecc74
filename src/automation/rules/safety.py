"""Loop safety of time rules, reasoned from what actions set (actions.effects) and what
conditions ask.

A condition is *nullified* by a rule when its own actions make it false (auto-solve sets
status solved; its condition `ticket.status is pending` no longer holds). Such a rule may
fire again on a ticket once that condition has been false and holds again (re-armed);
a rule without one fires once per ticket. Two rules *re-arm each other* when each one's
actions make a condition the other nullifies hold again (A: pending -> open, B: open ->
pending): the second of them is refused when it is saved. Only `all` conditions count."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from . import actions as action_types
from .conditions import holds
from .fields import CHANGE_OPS, FIELDS, HOUR_ANCHORS
from .schemas import Condition, Conditions

_NOW = datetime(2026, 1, 1, tzinfo=UTC)


def combined_effects(actions: list[BaseModel]) -> dict[str, tuple[str, Any]]:
    found: dict[str, tuple[str, Any]] = {}
    for action in actions:
        found.update(action_types.effects(action))
    return found


def after(condition: Condition, effects: dict[str, tuple[str, Any]]) -> bool | None:
    """Whether the condition holds after actions with these effects; None if they do not
    decide it."""
    effect = effects.get(condition.field)
    if effect is None or condition.op in CHANGE_OPS:
        return None
    kind, value = effect
    if kind in ("add", "remove"):
        if condition.op in ("contains", "not_contains") and str(condition.value).lower() in value:
            return (kind == "add") == (condition.op == "contains")
        return True if kind == "add" and condition.op == "present" else None
    if value == "*":  # some agent: not known before it runs
        return None if condition.op not in ("present", "blank") else condition.op == "present"
    name = condition.field.removeprefix("ticket.").removeprefix("business_")
    if name in HOUR_ANCHORS:
        context: dict[str, Any] = {"now": _NOW, "ticket": {HOUR_ANCHORS[name]: _NOW}}
    else:
        part, key = condition.field.split(".", 1)
        context = {"now": _NOW, part: {key: value}}
    assert condition.field in FIELDS
    return holds(condition, context)


def nullified(conditions: Conditions, actions: list[BaseModel]) -> list[Condition]:
    """The conditions a rule's own actions make false."""
    effects = combined_effects(actions)
    return [c for c in conditions.all if after(c, effects) is False]


def rearms(actions: list[BaseModel], conditions: Conditions, other: list[BaseModel]) -> bool:
    """Whether `other` actions make hold again a condition these actions nullify."""
    effects = combined_effects(other)
    return any(after(c, effects) is True for c in nullified(conditions, actions))
