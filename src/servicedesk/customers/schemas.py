from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from servicedesk.schemas import Changes, Id, NonBlank, Page, Request, Tag, Text
from servicedesk.tickets.schemas import InteractionOut, TicketSummary


class IdentityOut(BaseModel):
    id: int
    kind: str
    value: str


class DuplicateOut(BaseModel):
    """A likely duplicate of the customer, with why it looks like one."""

    id: int
    name: str
    email: str | None
    phone: str | None
    reasons: list[str]


class Duplicates(BaseModel):
    items: list[DuplicateOut]


class CustomerSummary(BaseModel):
    id: int
    name: str
    email: str | None
    phone: str | None
    organization: str | None
    tags: list[str]

    @classmethod
    def of(cls, row: dict[str, Any], identities: dict[str, str]) -> CustomerSummary:
        return cls(
            id=row["id"],
            name=row["name"],
            email=identities.get("email"),
            phone=identities.get("phone"),
            organization=row.get("organization_name"),
            tags=list(row["tags"] or []),
        )


class SurveyAnswer(BaseModel):
    kind: str
    score: int
    comment: str | None
    ticket_id: int | None
    created_at: datetime


class CustomerDetail(CustomerSummary):
    identities: list[IdentityOut]
    journey_stage: str | None
    # Profile fields an agent typed (contact auto-fill leaves them alone).
    typed_fields: list[str]
    external_id: str | None
    notes: str
    merged_into: int | None
    surveys_opt_out: bool
    email_bounced: bool
    marketing_consent: bool
    consent_source: str
    consent_at: datetime | None
    tickets: list[TicketSummary]
    surveys: list[SurveyAnswer]


class CustomerPage(Page):
    items: list[CustomerSummary]


class TimelineItem(BaseModel):
    """One touchpoint: a message (all channels), a survey sent or answered, a campaign
    email, a journey stage change (customers.timeline lists the kinds)."""

    key: str  # "kind:id", unique in the timeline
    kind: str  # message | survey | survey_answer | campaign | journey (and later: lead)
    at: datetime
    title: str
    text: str | None
    ticket_id: int | None
    ticket_subject: str | None
    channel: str | None
    actor: str | None
    message: InteractionOut | None  # kind "message": the message itself


class Timeline(BaseModel):
    items: list[TimelineItem]
    next: str | None = Field(description="the `before` of the next (older) page; null: none")


class JourneyChangeOut(BaseModel):
    id: int
    from_stage: str | None
    to_stage: str | None
    source: str
    actor: str
    created_at: datetime


class JourneyStages(BaseModel):
    stages: list[str]


class JourneyStageIn(Request):
    stage: Text | None = Field(max_length=40)


class IdentityAdd(Request):
    """An email (kept as typed), a phone (E.164, or national in PHONE_REGION; stored in
    E.164) or a social handle written platform:handle (twitter:@ann)."""

    kind: Literal["email", "phone", "social"]
    value: NonBlank = Field(max_length=254)


class CustomerUpdate(Changes):
    name: Text | None = Field(default=None, max_length=200)
    notes: Text | None = Field(default=None, max_length=20_000)
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    organization: Text | None = Field(default=None, max_length=200)
    surveys_opt_out: bool | None = None
    marketing_consent: bool | None = None
    # Where the consent answer came from; defaults to "agent" (signed in) or "api" (token).
    consent_source: Literal["import", "form", "api", "agent"] | None = None
    add_identity: IdentityAdd | None = None
    # One of settings.journey_stages (GET /api/customers/journey-stages), or null: none.
    journey_stage: Text | None = Field(default=None, max_length=40)


class MergeIn(Request):
    other_id: Id


class FunnelStage(BaseModel):
    stage: str
    entered: int  # changes into the stage in the period
    left: int  # changes out of it
    next_stage: str | None
    customers_entered: int  # distinct customers who entered it
    converted_to_next: int | None  # of those, who entered the next stage later in the period
    conversion_to_next: float | None  # converted_to_next / customers_entered


class FunnelTransition(BaseModel):
    from_stage: str | None
    to_stage: str | None
    count: int


class JourneyFunnel(BaseModel):
    period_start: datetime  # the query's from
    period_end: datetime  # the query's to (excluded)
    changes: int
    stages: list[FunnelStage]
    transitions: list[FunnelTransition]
