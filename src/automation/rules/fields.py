"""The fields a rule's condition can name, what each reads from the context (its shape is
in conditions.py), and the operators of each field type. The editor's catalog
(catalog.py) lists them; conditions.py checks conditions against them and evaluates them.

A field is one of FIELDS, or a web form's optional field `ticket.form.<name>` (a text;
field_named). `event.changes` (EVENT_CHANGES) takes only `changed`, naming one of the
CHANGEABLE fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from servicedesk.customers.journey import stages as journey_stages
from servicedesk.sales.service import stages as lead_stages
from servicedesk.tickets.service import CHANNELS, PRIORITIES, STATUSES

CHANGE_OPS = ("changed", "changed_to", "changed_from")
OPERATORS: dict[str, tuple[str, ...]] = {
    "choice": ("is", "is_not", "in", "not_in", "present", "blank", *CHANGE_OPS),
    "text": (
        "is",
        "is_not",
        "contains",
        "not_contains",
        "matches",
        "present",
        "blank",
        *CHANGE_OPS,
    ),
    "number": ("is", "is_not", "gt", "gte", "lt", "lte", "present", "blank"),
    "set": ("contains", "not_contains", "present", "blank", "changed"),
    "bool": ("is", "is_not"),
}
ALL_OPERATORS = tuple(dict.fromkeys(op for ops in OPERATORS.values() for op in ops))


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    get: Callable[[dict[str, Any]], Any]
    choices: tuple[str, ...] | None = None  # fixed choices; agents/teams are checked live
    changeable: bool = False  # reported in ticket.updated's changes (changed_* ops)
    # Choices from the configuration (journey stages), read when a rule is checked.
    configured: Callable[[], tuple[str, ...]] | None = None

    def choice_list(self) -> tuple[str, ...] | None:
        return self.configured() if self.configured else self.choices


def _part(part: str, key: str) -> Callable[[dict[str, Any]], Any]:
    def get(context: dict[str, Any]) -> Any:
        record = context.get(part)
        return None if record is None else record.get(key)

    return get


def _hours(anchor: str, business: bool) -> Callable[[dict[str, Any]], Any]:
    def get(context: dict[str, Any]) -> float | None:
        ticket = context.get("ticket")
        start: datetime | None = ticket.get(anchor) if ticket else None
        if start is None:
            return None
        now: datetime = context["now"]
        schedule = context.get("schedule")
        if business and schedule is not None:
            return float(schedule.business_minutes(start, now)) / 60
        return (now - start).total_seconds() / 3600

    return get


HOUR_ANCHORS = {
    "hours_since_created": "created_at",
    "hours_since_updated": "updated_at",
    "hours_since_solved": "solved_at",
    "hours_in_status": "status_changed_at",
    "hours_since_customer_message": "customer_message_at",
}
SURVEY_KINDS = ("csat", "nps", "ces")
NPS_CATEGORIES = ("promoter", "passive", "detractor")
SLA_TARGETS = ("first_response", "next_reply", "resolution")

_fields: list[Field] = [
    Field("ticket.status", "choice", _part("ticket", "status"), STATUSES, changeable=True),
    Field("ticket.priority", "choice", _part("ticket", "priority"), PRIORITIES, changeable=True),
    Field("ticket.channel", "choice", _part("ticket", "channel"), CHANNELS),
    Field("ticket.subject", "text", _part("ticket", "subject"), changeable=True),
    Field("ticket.tags", "set", _part("ticket", "tags"), changeable=True),
    Field("ticket.assignee", "choice", _part("ticket", "assignee"), changeable=True),
    Field("ticket.team", "choice", _part("ticket", "team"), changeable=True),
    Field("ticket.reopens", "number", _part("ticket", "reopens")),
    *[
        Field(f"ticket.{prefix}{name}", "number", _hours(anchor, bool(prefix)))
        for name, anchor in HOUR_ANCHORS.items()
        for prefix in ("", "business_")
    ],
    Field("message.body", "text", _part("message", "body")),
    Field("message.channel", "choice", _part("message", "channel"), CHANNELS),
    Field("survey.kind", "choice", _part("survey", "kind"), SURVEY_KINDS),
    Field("survey.rating", "number", _part("survey", "rating")),
    Field("survey.comment", "text", _part("survey", "comment")),
    Field("customer.email", "text", _part("customer", "email")),
    Field("customer.tags", "set", _part("customer", "tags")),
    Field(
        "customer.journey_stage",
        "choice",
        _part("customer", "journey_stage"),
        configured=journey_stages,
    ),
    Field("customer.nps_category", "choice", _part("customer", "nps_category"), NPS_CATEGORIES),
    Field("customer.marketing_consent", "bool", _part("customer", "marketing_consent")),
    Field("customer.lead_stage", "choice", _part("customer", "lead_stage"), tuple(lead_stages())),
    # The event's lead (lead.stage_changed), else the customer's current lead: the open
    # one, else the latest. lead.stage changed_to/changed_from read lead.stage_changed.
    Field("lead.stage", "choice", _part("lead", "stage"), tuple(lead_stages()), changeable=True),
    Field("lead.value", "number", _part("lead", "value")),
    # Extension: the target an sla.breached event is about.
    Field(
        "sla.target",
        "choice",
        lambda c: (c.get("event") or {}).get("sla", {}).get("target"),
        SLA_TARGETS,
    ),
]
FIELDS: dict[str, Field] = {f.name: f for f in _fields}
CHANGEABLE = tuple(f.name for f in _fields if f.changeable)
# A web form's optional field (servicedesk.channels.form): `ticket.form.<name>`, a text.
FORM_PREFIX = "ticket.form."
FORM_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def field_named(name: str) -> Field | None:
    """The field a condition names: one of FIELDS, or a web form's `ticket.form.<name>`."""
    found = FIELDS.get(name)
    key = name.removeprefix(FORM_PREFIX)
    if found is None and name.startswith(FORM_PREFIX) and FORM_FIELD_NAME.match(key):
        return Field(name, "text", lambda c: ((c.get("ticket") or {}).get("form") or {}).get(key))
    return found


# `event.changes` with op `changed` and a field name as value (the spec's form).
EVENT_CHANGES = Field("event.changes", "choice", lambda c: None, CHANGEABLE)
FIELDS[EVENT_CHANGES.name] = EVENT_CHANGES
