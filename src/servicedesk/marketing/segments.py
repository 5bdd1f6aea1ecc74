"""Segment conditions compiled to SQL: the conditions object of automation rules
({"all": [...], "any": [...]}, each {"field", "op", "value"}) over customer.* fields, turned
into one WHERE clause over `customer c` (Piccolo's {} placeholders, both engines).

A segment is a query, not a list: members are whoever matches when it is asked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from servicedesk.customers import journey
from servicedesk.db import is_sqlite
from servicedesk.errors import Invalid
from servicedesk.sales.queries import CURRENT_STAGE
from servicedesk.sales.service import stages as lead_stages

from .schemas import Condition, Conditions

Sql = tuple[str, list[Any]]

TEXT_OPS = ("is", "is_not", "in", "not_in", "contains", "not_contains", "present", "blank")
CHOICE_OPS = ("is", "is_not", "in", "not_in", "present", "blank")
NUMBER_OPS = ("is", "is_not", "gt", "gte", "lt", "lte", "present", "blank")
SET_OPS = ("contains", "not_contains", "present", "blank")
OPERATORS = {
    "text": TEXT_OPS,
    "choice": CHOICE_OPS,
    "number": NUMBER_OPS,
    "days": ("gt", "gte", "lt", "lte", "present", "blank"),
    "bool": ("is", "is_not"),
    "set": SET_OPS,
}
NPS_CATEGORIES = ("promoter", "passive", "detractor")
CHANNELS = ("email", "web", "chat", "phone", "social", "in_person", "api")


@dataclass(frozen=True)
class Field:
    type: str  # text | choice | number | days | bool | set
    # The SQL of the field's value for customer c (scalar types), with its arguments;
    # for sets, `member` gives the SQL that a value belongs to the set.
    expression: Callable[[datetime], Sql] | None = None
    member: Callable[[], str] | None = None  # one {} placeholder: the value
    any_member: str = ""
    choices: tuple[str, ...] = ()
    # Choices from the configuration (journey stages), read when a segment is compiled.
    configured: Callable[[], tuple[str, ...]] | None = None

    def choice_list(self) -> tuple[str, ...]:
        return self.configured() if self.configured else self.choices


def _sql(text: str) -> Callable[[datetime], Sql]:
    return lambda _now: (text, [])


def _tickets_last_year(now: datetime) -> Sql:
    return (
        "(SELECT COUNT(*) FROM ticket t WHERE t.customer = c.id AND t.created_at >= {})",
        [now - timedelta(days=365)],
    )


def _tag_member() -> str:
    if is_sqlite():
        return "EXISTS (SELECT 1 FROM json_each(c.tags) j WHERE j.value = {})"
    return "jsonb_exists(c.tags::jsonb, {})"


ANY_TAG = "json_array_length(c.tags) > 0"  # SQLite's and PostgreSQL's json alike


FIELDS: dict[str, Field] = {
    "customer.email": Field(
        "text",
        _sql(
            "(SELECT i.value FROM customer_identity i WHERE i.customer = c.id"
            " AND i.kind = 'email' ORDER BY i.id LIMIT 1)"
        ),
    ),
    "customer.name": Field("text", _sql("c.name")),
    "customer.company": Field(
        "text", _sql("(SELECT o.name FROM organization o WHERE o.id = c.organization)")
    ),
    "customer.tags": Field("set", member=_tag_member),
    "customer.channels": Field(
        "set",
        member=lambda: "EXISTS (SELECT 1 FROM ticket t WHERE t.customer = c.id AND t.channel = {})",
        any_member="EXISTS (SELECT 1 FROM ticket t WHERE t.customer = c.id)",
        choices=CHANNELS,
    ),
    "customer.last_contact_days": Field(
        "days",
        _sql(
            "(SELECT MAX(x.created_at) FROM interaction x WHERE x.customer = c.id"
            " AND x.direction = 'inbound')"
        ),
    ),
    "customer.tickets": Field("number", _tickets_last_year),
    "customer.nps_category": Field(
        "choice",
        _sql(
            "(SELECT CASE WHEN r.score >= 9 THEN 'promoter' WHEN r.score >= 7 THEN 'passive'"
            " ELSE 'detractor' END FROM survey_response r WHERE r.customer = c.id"
            " AND r.kind = 'nps' AND r.anonymous = FALSE ORDER BY r.id DESC LIMIT 1)"
        ),
        choices=NPS_CATEGORIES,
    ),
    "customer.latest_csat": Field(
        "number",
        _sql(
            "(SELECT r.score FROM survey_response r WHERE r.customer = c.id"
            " AND r.kind = 'csat' ORDER BY r.id DESC LIMIT 1)"
        ),
    ),
    "customer.marketing_consent": Field("bool", _sql("c.marketing_consent")),
    # The stage of the customer's open lead, else of their latest (servicedesk.sales).
    "customer.lead_stage": Field("choice", _sql(CURRENT_STAGE), choices=tuple(lead_stages())),
    "customer.journey_stage": Field("choice", _sql("c.journey_stage"), configured=journey.stages),
}


def catalog() -> list[dict[str, Any]]:
    """The fields, their types, operators and choices, for the segment builder."""
    return [
        {
            "name": name,
            "type": spec.type,
            "operators": list(OPERATORS[spec.type]),
            "choices": list(spec.choice_list()),
        }
        for name, spec in FIELDS.items()
    ]


def compile_conditions(conditions: Conditions, *, now: datetime) -> Sql:
    """The WHERE clause (over customer c) of a segment's conditions; refuses a condition
    that names an unknown field, an operator its type has not, or a wrong value (422,
    naming the condition, e.g. conditions.all[0].op)."""
    parts: list[str] = []
    args: list[Any] = []
    for group in ("all", "any"):
        compiled = []
        for index, condition in enumerate(getattr(conditions, group)):
            text, values = _condition(condition, f"conditions.{group}[{index}]", now)
            compiled.append(text)
            args.extend(values)
        if compiled:
            joiner = " AND " if group == "all" else " OR "
            parts.append("(" + joiner.join(compiled) + ")")
    return (" AND ".join(parts) or "TRUE"), args


def _condition(condition: Condition, path: str, now: datetime) -> Sql:
    spec = FIELDS.get(condition.field)
    if spec is None:
        raise Invalid(
            f"unknown field {condition.field!r}; one of {', '.join(FIELDS)}",
            field=f"{path}.field",
        )
    op, value = condition.op, condition.value
    if op not in OPERATORS[spec.type]:
        raise Invalid(
            f"{condition.field} ({spec.type}) takes one of {', '.join(OPERATORS[spec.type])};"
            f" got {op!r}",
            field=f"{path}.op",
        )
    _check_value(spec, op, value, f"{path}.value")
    if spec.type == "set":
        assert spec.member is not None
        if op in ("present", "blank"):
            any_member = spec.any_member or ANY_TAG
            return (any_member if op == "present" else f"NOT ({any_member})"), []
        member = spec.member()
        return (member if op == "contains" else f"NOT ({member})"), [value]
    assert spec.expression is not None
    expression, args = spec.expression(now)
    if op == "present":
        return f"({expression} IS NOT NULL AND {_not_empty(spec, expression)})", args * 2
    if op == "blank":
        return f"({expression} IS NULL OR NOT {_not_empty(spec, expression)})", args * 2
    if spec.type == "days":
        # n days since the last contact: compared as a moment, so the index on time works.
        moment = now - timedelta(days=float(value))
        flipped = {"gt": "<", "gte": "<=", "lt": ">", "lte": ">="}[op]
        return f"{expression} {flipped} {{}}", [*args, moment]
    if spec.type == "text":
        expression = f"LOWER({expression})"
        value = [v.lower() for v in value] if isinstance(value, list) else str(value).lower()
    if op in ("contains", "not_contains"):
        like = f"{expression} LIKE {{}}"
        pattern = f"%{value}%"
        if op == "contains":
            return like, [*args, pattern]
        return f"({expression} IS NULL OR NOT {like})", [*args, *args, pattern]
    if op in ("in", "not_in"):
        marks = ", ".join(["{}"] * len(value))
        if op == "in":
            return f"{expression} IN ({marks})", [*args, *value]
        return f"({expression} IS NULL OR {expression} NOT IN ({marks}))", [*args, *args, *value]
    if op == "is_not":
        return f"({expression} IS NULL OR {expression} <> {{}})", [*args, *args, value]
    symbol = {"is": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
    return f"{expression} {symbol} {{}}", [*args, value]


def _not_empty(spec: Field, expression: str) -> str:
    return f"{expression} <> ''" if spec.type == "text" else "TRUE"


def _check_value(spec: Field, op: str, value: Any, path: str) -> None:
    if op in ("present", "blank"):
        return
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or len(value) > 500:
            raise Invalid(f"{op} takes a list of 1 to 500 values", field=path)
        items = value
    else:
        items = [value]
    for item in items:
        if spec.type in ("number", "days"):
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise Invalid(f"a number is needed, got {item!r}", field=path)
        elif spec.type == "bool":
            if not isinstance(item, bool):
                raise Invalid(f"true or false is needed, got {item!r}", field=path)
        elif not isinstance(item, str) or not item or len(item) > 200:
            raise Invalid(f"a text of 1 to 200 characters is needed, got {item!r}", field=path)
        choices = spec.choice_list()
        if choices and spec.type != "text" and item not in choices:
            raise Invalid(f"{item!r} is not one of {', '.join(choices)}", field=path)
