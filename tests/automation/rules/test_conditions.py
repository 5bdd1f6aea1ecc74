"""Conditions evaluated as a pure function of (conditions, context), as the dry-run uses
them: operators, business hours of the team's schedule, changes, patterns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from automation.rules.conditions import check_regex, evaluate
from automation.rules.schemas import Conditions
from servicedesk.cx.business_hours import Schedule
from servicedesk.errors import Invalid

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def context(**parts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "now": datetime(2026, 3, 3, 9, 0, tzinfo=UTC),  # Tuesday 09:00, 24 h later
        "event": {"topic": "ticket.updated", "changes": {}, "sla": {}},
        "ticket": {
            "subject": "Refund for order 12",
            "status": "pending",
            "priority": "normal",
            "tags": ["vip"],
            "assignee": None,
            "created_at": MONDAY_9,
            "status_changed_at": MONDAY_9,
            "solved_at": None,
        },
        "customer": {"email": "ann@mail.example", "tags": [], "marketing_consent": False},
        "message": None,
        "survey": None,
        "lead": None,
        "schedule": Schedule.from_json({"timezone": "UTC"}),
    }
    base.update(parts)
    return base


def holds(
    *conditions: dict[str, Any],
    any_of: list[dict[str, Any]] | None = None,
    ctx: dict[str, Any] | None = None,
) -> bool:
    parsed = Conditions.model_validate({"all": list(conditions), "any": any_of or []})
    return evaluate(parsed, ctx or context())


def test_calendar_and_business_hours_of_the_teams_schedule() -> None:
    # Monday 09:00 -> Tuesday 09:00: 24 calendar hours, 8 business hours (Mon 9-17).
    assert holds({"field": "ticket.hours_in_status", "op": "gte", "value": 24})
    assert holds({"field": "ticket.business_hours_in_status", "op": "is", "value": 8})
    assert not holds({"field": "ticket.business_hours_since_created", "op": "gt", "value": 8})
    assert not holds({"field": "ticket.hours_since_solved", "op": "gte", "value": 0})


def test_text_set_choice_and_missing_values() -> None:
    assert holds({"field": "ticket.subject", "op": "contains", "value": "REFUND"})
    assert holds({"field": "ticket.tags", "op": "contains", "value": "vip"})
    assert holds({"field": "ticket.tags", "op": "not_contains", "value": "spam"})
    assert holds({"field": "ticket.assignee", "op": "blank"})
    assert holds({"field": "ticket.status", "op": "in", "value": ["pending", "on_hold"]})
    assert not holds({"field": "survey.rating", "op": "lte", "value": 2})
    assert holds({"field": "ticket.subject", "op": "matches", "value": r"order \d+$"})


def test_all_and_any() -> None:
    yes = {"field": "ticket.status", "op": "is", "value": "pending"}
    no = {"field": "ticket.priority", "op": "is", "value": "urgent"}
    assert holds(yes, any_of=[no, yes])
    assert not holds(yes, any_of=[no])
    assert not holds(yes, no)


def test_changes_of_the_event() -> None:
    changed = context(
        event={
            "topic": "ticket.updated",
            "sla": {},
            "changes": {"ticket.status": ["open", "pending"]},
        }
    )
    assert holds({"field": "ticket.status", "op": "changed_to", "value": "pending"}, ctx=changed)
    assert holds({"field": "ticket.status", "op": "changed_from", "value": "open"}, ctx=changed)
    assert holds({"field": "event.changes", "op": "changed", "value": "ticket.status"}, ctx=changed)
    assert not holds({"field": "ticket.priority", "op": "changed"}, ctx=changed)
    assert not holds({"field": "ticket.status", "op": "changed"})


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|b*)*", r"(\w+\s?)+", r"(x)\1", "a" * 201])
def test_unsafe_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(Invalid):
        check_regex(pattern, "value")


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"order \d+", "Order 12"),
        ("^(refund|return)s?$", "returns"),
        (r"[a-z]{2,5}-\d{3}", "ab-123"),
    ],
)
def test_ordinary_patterns_pass_and_ignore_case(pattern: str, text: str) -> None:
    assert check_regex(pattern, "value").search(text) is not None
