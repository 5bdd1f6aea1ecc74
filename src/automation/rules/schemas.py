"""The rule JSON of the spec as Pydantic models, and the API's answers.

The shape is checked here (unknown keys refused, types); what a field, operator or action
means is checked by conditions.py and actions.py, which know the catalog."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from servicedesk.schemas import Instant

# The events a rule can listen to (the spec's list).
EVENTS = (
    "ticket.created",
    "ticket.updated",
    "message.received",
    "reply.sent",
    "ticket.solved",
    "ticket.reopened",
    "survey.answered",
    "customer.created",
    "sla.breached",
    "lead.stage_changed",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventTrigger(Strict):
    events: list[str] = Field(min_length=1)


class TimeTrigger(Strict):
    every: Literal["minute"]


def _trigger_kind(value: Any) -> str:
    data = value if isinstance(value, dict) else getattr(value, "__dict__", {})
    return "TimeTrigger" if "every" in data else "EventTrigger"


# A trigger with "every" is a time rule; errors name the keys of the kind it looks like.
Trigger = Annotated[
    Annotated[EventTrigger, Tag("EventTrigger")] | Annotated[TimeTrigger, Tag("TimeTrigger")],
    Discriminator(_trigger_kind),
]


class Condition(Strict):
    field: str
    op: str
    value: Any = None


class Conditions(Strict):
    all: list[Condition] = []
    any: list[Condition] = []


class RuleIn(Strict):
    """A rule as the API, the CLI and rule files write it."""

    name: str = Field(min_length=1, max_length=200)
    active: bool = True
    position: int = 0
    trigger: Trigger
    conditions: Conditions = Conditions()
    # Each action's own shape is checked by its type's model in actions.py.
    actions: list[dict[str, Any]] = Field(min_length=1)

    @property
    def is_time_rule(self) -> bool:
        return isinstance(self.trigger, TimeTrigger)

    def spec_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class RuleOut(BaseModel):
    id: int
    name: str
    active: bool
    position: int
    trigger: dict[str, Any]
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime
    last_fired_at: datetime | None
    fired_count: int
    error_count: int


class RunOut(BaseModel):
    id: int
    rule_id: int
    at: datetime
    ticket_id: int | None
    event_id: int | None
    event: str
    actions: list[str]
    error: str | None


class CatalogField(BaseModel):
    name: str
    type: Literal["choice", "text", "number", "set", "bool"]
    choices: list[str] | None = None


class CatalogParam(BaseModel):
    name: str
    type: str
    choices: list[str] | None = None


class CatalogAction(BaseModel):
    type: str
    label: str
    params: list[CatalogParam]


class Catalog(BaseModel):
    events: list[str]
    fields: list[CatalogField]
    operators: dict[str, list[str]]
    actions: list[CatalogAction]


class DryRunIn(BaseModel):
    """A rule (the spec's JSON) and the period to replay it over, [from, to)."""

    model_config = ConfigDict(populate_by_name=True)

    rule: dict[str, Any]
    start: Instant = Field(alias="from")
    end: Instant = Field(alias="to")


class DryRunItem(BaseModel):
    """Where the rule would have fired: a ticket's event, or a customer's (customer.created,
    a lead's stage change without a source ticket: no ticket)."""

    ticket_id: int | None
    subject: str | None
    customer_id: int | None
    event: str
    at: datetime
    actions: list[str]


class DryRunOut(BaseModel):
    fired: int
    tickets: int
    items: list[DryRunItem]
