"""The JSON Lines import format (docs/import-format.md), as Pydantic models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from servicedesk.tickets.rules import Channel, Priority, Status

__all__ = ["Channel", "Priority", "Status"]


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgentLine(Line):
    type: Literal["agent"]
    email: str = Field(min_length=3, max_length=254)
    name: str = ""
    team: str | None = None


class CustomerLine(Line):
    type: Literal["customer"]
    external_id: str = Field(min_length=1, max_length=200)
    email: str | None = None
    phone: str | None = None
    social: str | None = None
    name: str = ""
    organization: str | None = None
    # Marketing consent as the source system had it (recorded with source "import").
    marketing_consent: bool | None = None
    # The customer's journey stage (one of settings.journey_stages; history source "import").
    journey_stage: str | None = Field(default=None, max_length=40)

    @field_validator("journey_stage")
    @classmethod
    def _known_stage(cls, value: str | None) -> str | None:
        from servicedesk.customers.journey import stages

        if value is not None and value not in stages():
            raise ValueError(f"unknown journey stage {value!r}; one of {', '.join(stages())}")
        return value


class Event(Line):
    at: AwareDatetime


class MessageEvent(Event):
    kind: Literal["message"]
    direction: Literal["inbound", "outbound"]
    channel: Channel
    body: str = ""
    html: str | None = None
    author: str | None = None
    public: bool = True

    @model_validator(mode="after")
    def outbound_has_author(self) -> MessageEvent:
        if self.direction == "outbound" and not self.author:
            raise ValueError("an outbound message needs an author")
        return self


class NoteEvent(Event):
    kind: Literal["note"]
    author: str
    body: str = ""


class AssignEvent(Event):
    kind: Literal["assign"]
    agent: str | None


class StatusEvent(Event):
    kind: Literal["status"]
    status: Status
    by: str | None = None


class PriorityEvent(Event):
    kind: Literal["priority"]
    priority: Priority


class TagsEvent(Event):
    kind: Literal["tags"]
    add: list[str] = []
    remove: list[str] = []


class CsatEvent(Event):
    kind: Literal["csat"]
    rating: int = Field(ge=1, le=5)
    comment: str | None = None


class SurveyEvent(Event):
    """A CSAT survey sent to the customer about the ticket's latest solve (answered or not:
    the response rate counts both)."""

    kind: Literal["survey"]


TicketEventLine = Annotated[
    MessageEvent
    | NoteEvent
    | AssignEvent
    | StatusEvent
    | PriorityEvent
    | TagsEvent
    | CsatEvent
    | SurveyEvent,
    Field(discriminator="kind"),
]


class TicketLine(Line):
    type: Literal["ticket"]
    external_id: str = Field(min_length=1, max_length=200)
    customer: str
    subject: str = ""
    channel: Channel
    created_at: AwareDatetime
    priority: Priority = "normal"
    tags: list[str] = []
    # The team the ticket is routed to: one an agent line names, or one the desk has.
    team: str | None = Field(default=None, min_length=1, max_length=100)
    events: list[TicketEventLine] = Field(min_length=1)

    @field_validator("events")
    @classmethod
    def in_time_order(cls, events: list[Event]) -> list[Event]:
        for earlier, later in zip(events, events[1:], strict=False):
            if later.at < earlier.at:
                raise ValueError(
                    f"events out of order: {later.at.isoformat()} comes after {earlier.at.isoformat()}"
                )
        return events

    @model_validator(mode="after")
    def starts_with_inbound(self) -> TicketLine:
        first = self.events[0]
        if not (isinstance(first, MessageEvent) and first.direction == "inbound"):
            raise ValueError("a ticket's first event is the customer's inbound message")
        if first.at < self.created_at:
            raise ValueError("the first event is before created_at")
        return self


class NpsLine(Line):
    type: Literal["nps_response"]
    customer: str
    at: AwareDatetime
    score: int = Field(ge=0, le=10)
    comment: str | None = None
    anonymous: bool = False


class CesLine(Line):
    type: Literal["ces_response"]
    customer: str
    ticket: str | None = None
    at: AwareDatetime
    score: int = Field(ge=1, le=7)


ImportLine = Annotated[
    AgentLine | CustomerLine | TicketLine | NpsLine | CesLine, Field(discriminator="type")
]


class ImportError_(BaseModel):
    line: int
    reason: str


class ImportResult(BaseModel):
    lines: int = 0
    imported: dict[str, int] = {}
    unchanged: int = 0
    rejected: list[ImportError_] = []
