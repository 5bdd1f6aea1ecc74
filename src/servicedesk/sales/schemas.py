"""Request and response models of leads (the lead report is published untyped, as the
other reports)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar.params import ParameterKwarg
from pydantic import BaseModel, BeforeValidator, Field, TypeAdapter, ValidationError

from servicedesk.schemas import Changes, Id, NonBlank, Request, Text

_DAY = TypeAdapter(date)


def _day(value: Any) -> Any:
    """A JSON date (YYYY-MM-DD) as a date; anything else is left for pydantic to refuse."""
    if isinstance(value, str):
        try:
            return _DAY.validate_python(value, strict=False)
        except ValidationError:
            return value
    return value


Day = Annotated[date, BeforeValidator(_day)]
# Constraints twice: pydantic's for the check, ParameterKwarg's for the OpenAPI schema.
Money = Annotated[float, Field(ge=0, le=1e11), ParameterKwarg(ge=0, le=1e11)]
Currency = Annotated[str, Field(pattern="^[A-Za-z]{3}$"), ParameterKwarg(pattern="^[A-Za-z]{3}$")]


class LeadIn(Request):
    """A new lead for a customer, or for a ticket's customer (then channel and ticket are
    its source). A customer with an open lead gets no second one: this folds into it."""

    customer_id: Id | None = None
    ticket_id: Id | None = None
    value: Money | None = None
    currency: Currency | None = None
    stage: Text | None = Field(default=None, min_length=1, max_length=40)
    owner_id: Id | None = None
    team: NonBlank | None = Field(default=None, max_length=100)
    expected_close_date: Day | None = None


class LeadUpdate(Changes):
    value: Money | None = None
    currency: Currency | None = None
    owner_id: Id | None = None
    expected_close_date: Day | None = None
    lost_reason: Text | None = Field(default=None, max_length=500)


class LeadStageIn(Request):
    stage: Text = Field(min_length=1, max_length=40)
    lost_reason: Text | None = Field(default=None, max_length=500)


class LeadMergeIn(Request):
    other_id: Id


class LeadHistoryLine(BaseModel):
    lead_id: int
    kind: str
    from_stage: str | None
    to_stage: str | None
    changes: dict[str, Any]
    actor_kind: str
    actor_label: str
    at: datetime


class LeadOut(BaseModel):
    id: int
    customer_id: int
    customer_name: str
    customer_email: str | None
    source_channel: str
    source_ticket_id: int | None
    stage: str
    value: float
    currency: str
    owner_id: int | None
    owner_name: str | None
    team_id: int | None
    expected_close_date: date | None
    lost_reason: str
    campaign_id: int | None
    merged_into: int | None
    open: bool
    created_at: datetime
    updated_at: datetime
    stage_changed_at: datetime
    closed_at: datetime | None
    history: list[LeadHistoryLine] | None = None
    created: bool | None = None  # on POST: false when folded into the open lead


class LeadList(BaseModel):
    items: list[LeadOut]


class LeadStages(BaseModel):
    stages: list[str]
    open: list[str]
    closed: list[str]
    currency: str
