"""Request and response models of segments, consent, campaigns and data requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from servicedesk.schemas import Amount, Changes, Id, Instant, Request, Whole

ConsentSource = Literal["import", "form", "api", "agent", "unsubscribe"]
SuppressionReason = Literal["unsubscribed", "bounced", "complained"]


class Condition(Request):
    field: str = Field(max_length=100)
    op: str = Field(max_length=20)
    value: Any = None


class Conditions(Request):
    all: list[Condition] = Field(default_factory=list, max_length=50)
    any: list[Condition] = Field(default_factory=list, max_length=50)


class SegmentIn(Request):
    name: str = Field(min_length=1, max_length=200)
    conditions: Conditions


class SegmentUpdate(Changes):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    conditions: Conditions | None = None


class SegmentOut(BaseModel):
    id: int
    name: str
    conditions: Conditions
    created_at: datetime
    updated_at: datetime


class SegmentList(BaseModel):
    items: list[SegmentOut]


class Member(BaseModel):
    id: int
    email: str | None
    name: str


class Members(BaseModel):
    count: int
    items: list[Member]
    next: str | None = None


class PreviewIn(Request):
    conditions: Conditions
    limit: Whole = Field(default=20, ge=1, le=200)


class FieldInfo(BaseModel):
    name: str
    type: str
    operators: list[str]
    choices: list[str]


class SegmentCatalog(BaseModel):
    fields: list[FieldInfo]


CampaignKind = Literal["segment", "triggered"]


class CampaignIn(Request):
    """A segment campaign names its segment (and maybe send_at); a triggered one has
    neither: automation rules (`send_campaign`) send it to one customer at a time."""

    name: str = Field(min_length=1, max_length=200)
    kind: CampaignKind = "segment"
    segment_id: Id | None = None
    subject: str = Field(min_length=1, max_length=400)
    body: str = Field(min_length=1, max_length=100_000)
    send_at: Instant | None = None


class CampaignUpdate(Changes):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    segment_id: Id | None = None
    subject: str | None = Field(default=None, min_length=1, max_length=400)
    body: str | None = Field(default=None, min_length=1, max_length=100_000)
    send_at: Instant | None = None


class CampaignOut(BaseModel):
    id: int
    name: str
    kind: CampaignKind
    segment_id: Id | None
    subject: str
    body: str
    status: str
    send_at: datetime | None
    queued_at: datetime | None
    created_at: datetime


class CampaignList(BaseModel):
    items: list[CampaignOut]


class TemplateIn(Request):
    """An unsaved subject and body to preview (for one customer, or a sample one)."""

    subject: str = Field(min_length=1, max_length=400)
    body: str = Field(min_length=1, max_length=100_000)
    customer_id: Id | None = None


class Rendered(BaseModel):
    subject: str
    body: str


class SendResult(BaseModel):
    queued: int
    skipped_no_consent: int
    skipped_suppressed: int
    skipped_frequency_cap: int
    already_decided: int


class CampaignReport(BaseModel):
    campaign_id: int
    recipients: int
    sent: int
    delivered: int
    failed: int
    unknown: int
    bounced: int
    unsubscribed: int
    skipped_no_consent: int
    skipped_suppressed: int
    skipped_frequency_cap: int
    pending: int
    replies: int
    leads: int
    won_value: list[Amount]  # per currency, sorted; [] when none was won
    csat_before: float | None
    csat_after: float | None
    nps_before: float | None
    nps_after: float | None


class ConsentIn(Request):
    marketing_consent: bool
    consent_source: ConsentSource = "api"


class ConsentOut(BaseModel):
    customer_id: int
    marketing_consent: bool
    consent_source: str
    consent_at: datetime | None
    suppressed: list[str]
    history: list[dict[str, Any]]


class BounceIn(Request):
    """A bounce or complaint reported after delivery (an ESP's webhook, a DSN)."""

    email: str = Field(min_length=3, max_length=254)
    kind: Literal["bounce", "complaint"]
