"""Conditions: their checks at save time, and their evaluation. The fields they name and
the operators of each field type are in fields.py.

`evaluate(conditions, context)` is a pure function of the rule's conditions and a context
dict, so the live runner and the dry-run (which builds the context of a ticket as it was
at a past moment) share it. The context (built live by context.build_context):

    {"now": aware datetime,
     "event": {"topic": str, "changes": {"ticket.status": [old, new], ...}, "sla": {...}},
     "ticket": {"id", "subject", "status", "priority", "channel", "tags": [str],
                "assignee": email | None, "team": name | None, "reopens": int,
                "created_at", "updated_at", "solved_at", "status_changed_at",
                "customer_message_at": datetime | None,
                "form": {name: str} (a web form's optional fields), ...} | None,
     "customer": {"email", "tags": [str], "journey_stage": str | None, "lead_stage",
                  "nps_category",
                  "marketing_consent": bool, ...} | None,
     "message": {"body", "channel"} | None,   # message.received / reply.sent
     "survey": {"kind", "rating", "comment"} | None,   # survey.answered
     "lead": {"id", "stage", "value", "currency", "owner_id", "customer_id"} | None,
     "schedule": cx.business_hours.Schedule | None}    # the ticket's team's hours

Regular expressions (`matches`) are refused at save when they could backtrack badly:
longer than MAX_PATTERN characters, a backreference, or a repeated group that itself
contains a repeat (`(a+)+`, `(\\w*\\s?)*`). The text they run on is cut at MAX_TEXT."""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterable
from typing import Any

try:  # Python 3.11+
    import re._parser as sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

from pydantic import BaseModel

from servicedesk.errors import Invalid

from .context import Parts
from .fields import (
    ALL_OPERATORS,
    CHANGE_OPS,
    CHANGEABLE,
    EVENT_CHANGES,
    OPERATORS,
    Field,
    field_named,
)
from .schemas import Condition, Conditions

MAX_PATTERN = 200
MAX_TEXT = 10_000


# ---------------------------------------------------------------- checks at save


def check_regex(pattern: str, field: str) -> re.Pattern[str]:
    """Compiles a pattern that cannot backtrack catastrophically, or refuses it."""
    if len(pattern) > MAX_PATTERN:
        raise Invalid(f"a pattern is at most {MAX_PATTERN} characters", field=field)
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        raise Invalid(f"not a regular expression: {exc}", field=field) from exc

    def walk(items: Any, inside_repeat: bool) -> None:
        for op, arg in items:
            name = str(op)
            if name in ("GROUPREF", "GROUPREF_EXISTS"):
                raise Invalid("backreferences are not allowed in a pattern", field=field)
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, sub = arg
                if inside_repeat and high != low:
                    raise Invalid(
                        "nested repeats such as (a+)+ can take forever; rewrite the pattern",
                        field=field,
                    )
                walk(sub, inside_repeat or high != low)
            elif name == "SUBPATTERN":
                walk(arg[-1], inside_repeat)
            elif name == "BRANCH":
                for branch in arg[1]:
                    walk(branch, inside_repeat)
            elif name in ("ASSERT", "ASSERT_NOT"):
                walk(arg[1], inside_repeat)

    walk(parsed, False)
    return _compiled(pattern)


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_condition(condition: Condition, path: str) -> None:
    """Refuses an unknown field or operator, an operator the field's type does not have, a
    value of the wrong type, an unsafe pattern. Live choices (agents, teams) are checked by
    the service."""
    field = field_named(condition.field)
    if field is None:
        raise Invalid(f"unknown field {condition.field!r}", field=f"{path}.field")
    op, value, where = condition.op, condition.value, f"{path}.value"
    if op not in ALL_OPERATORS:
        raise Invalid(f"unknown operator {op!r}", field=f"{path}.op")
    allowed = ("changed",) if field is EVENT_CHANGES else OPERATORS[field.type]
    if op not in allowed or (
        op in CHANGE_OPS and field is not EVENT_CHANGES and not field.changeable
    ):
        raise Invalid(f"{field.name} ({field.type}) has no operator {op!r}", field=f"{path}.op")
    if field is EVENT_CHANGES:
        if value not in CHANGEABLE:
            raise Invalid(f"the value names a field among {', '.join(CHANGEABLE)}", field=where)
        return
    if op in ("present", "blank", "changed"):
        if value is not None:
            raise Invalid(f"{op} takes no value", field=where)
        return
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise Invalid(f"{op} takes a list of values", field=where)
        for item in value:
            _check_choice(field, item, where)
        return
    if op == "matches":
        if not isinstance(value, str):
            raise Invalid("matches takes a pattern (a string)", field=where)
        check_regex(value, where)
        return
    if field.type == "number":
        if not _is_number(value):
            raise Invalid(f"{field.name} is a number", field=where)
    elif field.type == "bool":
        if not isinstance(value, bool):
            raise Invalid(f"{field.name} is true or false", field=where)
    elif not isinstance(value, str):
        raise Invalid(f"{op} takes a string", field=where)
    elif field.type == "choice":
        _check_choice(field, value, where)


def _check_choice(field: Field, value: str, where: str) -> None:
    choices = field.choice_list()
    if choices is not None and field.type == "choice" and value not in choices:
        raise Invalid(f"{value!r} is not one of {', '.join(choices)}", field=where)


def check_conditions(conditions: Conditions, path: str = "conditions") -> None:
    for group in ("all", "any"):
        for index, condition in enumerate(getattr(conditions, group)):
            check_condition(condition, f"{path}.{group}[{index}]")


# ---------------------------------------------------------------- evaluation


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple | set | frozenset) else []


def _text(value: Any) -> str:
    return "" if value is None else str(value)[:MAX_TEXT]


def _equal(field: Field, actual: Any, expected: Any) -> bool:
    if field.type == "text" and isinstance(actual, str) and isinstance(expected, str):
        return actual.strip().lower() == expected.strip().lower()
    if field.type == "number" and _is_number(actual):
        return bool(actual == expected)
    return bool(actual == expected)


Check = Callable[[dict[str, Any]], bool]


def _changes(context: dict[str, Any]) -> dict[str, Any]:
    return (context.get("event") or {}).get("changes") or {}


def compile_condition(condition: Condition) -> Check:
    """One condition as a function of the context: the field, the operator and the value
    are looked at once here, not on every event (the runner compiles each rule once per
    version of the rule set)."""
    op, expected = condition.op, condition.value
    if condition.field == EVENT_CHANGES.name:
        return lambda context: expected in _changes(context)
    field = field_named(condition.field)
    assert field is not None, condition.field  # checked at save
    name, get = field.name, field.get
    if op in CHANGE_OPS:
        if op == "changed":
            return lambda context: _changes(context).get(name) is not None
        side = 1 if op == "changed_to" else 0  # a change is [old, new]

        def changed(context: dict[str, Any]) -> bool:
            change = _changes(context).get(name)
            return change is not None and _equal(field, change[side], expected)

        return changed
    if op in ("present", "blank"):
        present = op == "present"
        return lambda context: (get(context) not in (None, "", [])) == present
    if op == "is":
        return lambda context: (
            (actual := get(context)) is not None and _equal(field, actual, expected)
        )
    if op == "is_not":
        return lambda context: (
            (actual := get(context)) is None or not _equal(field, actual, expected)
        )
    if op == "in":
        return lambda context: get(context) in expected
    if op == "not_in":
        return lambda context: get(context) not in expected
    if op in ("contains", "not_contains"):
        wanted, positive = str(expected).lower(), op == "contains"
        if field.type == "set":
            return lambda context: (
                (wanted in [str(v).lower() for v in _as_list(get(context))]) == positive
            )
        return lambda context: (wanted in _text(get(context)).lower()) == positive
    if op == "matches":
        return lambda context: (
            (actual := get(context)) is not None
            and (_compiled(expected).search(_text(actual)) is not None)
        )
    compare = _COMPARISONS[op]
    # gt/gte/lt/lte on a missing number (never solved, no survey) do not hold.
    return lambda context: _is_number(actual := get(context)) and bool(compare(actual, expected))


_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def holds(condition: Condition, context: dict[str, Any]) -> bool:
    """Whether one condition holds in the context."""
    return compile_condition(condition)(context)


def compile_conditions(conditions: Conditions) -> Check:
    """A rule's conditions as one function of the context: every condition of `all`
    holds, and one of `any` when `any` is not empty."""
    every = [compile_condition(c) for c in conditions.all]
    some = [compile_condition(c) for c in conditions.any]

    def check(context: dict[str, Any]) -> bool:
        for holding in every:
            if not holding(context):
                return False
        if not some:
            return True
        return any(holding(context) for holding in some)

    return check


def evaluate(conditions: Conditions, context: dict[str, Any]) -> bool:
    """compile_conditions(conditions)(context), for a single use."""
    return compile_conditions(conditions)(context)


def parts_read_by(conditions: Conditions, actions: Iterable[BaseModel] = ()) -> Parts:
    """What of the context beyond the ticket and its customer a rule reads: the team's
    business hours (business_* hours), the message, the event's changes, and the lead
    (its conditions, set_lead_stage, or a template naming the lead)."""
    used = [*conditions.all, *conditions.any]
    return Parts(
        schedule=any(c.field.startswith("ticket.business_") for c in used),
        message=any(c.field.startswith("message.") for c in used),
        changes=any(c.field == EVENT_CHANGES.name or c.op in CHANGE_OPS for c in used),
        lead=any(c.field.startswith("lead.") or c.field == "customer.lead_stage" for c in used)
        or any(
            getattr(a, "type", None) == "set_lead_stage" or "lead." in a.model_dump_json()
            for a in actions
        ),
    )


def merged_parts(parts: Iterable[Parts]) -> Parts:
    """What any of several rules read."""
    found = list(parts)
    return Parts(
        schedule=any(p.schedule for p in found),
        message=any(p.message for p in found),
        changes=any(p.changes for p in found),
        lead=any(p.lead for p in found),
    )
