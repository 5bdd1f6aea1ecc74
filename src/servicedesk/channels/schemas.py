"""Request and response models of the channels: email in, web form, chat and social."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from litestar.params import ParameterKwarg
from pydantic import BaseModel, ConfigDict, Field

from servicedesk.schemas import Changes, Email, Id, Instant, NonBlank, Request, Text, Whole

InboundStatus = Literal["created", "threaded", "duplicate", "ignored", "bounce"]


class InboundOut(BaseModel):
    """What became of a message: `ignored` means a machine wrote it (auto-reply, list,
    mailer-daemon, over the sender's rate limit): recorded on its ticket, flagged so that
    nothing automatic answers it; `reason` says why."""

    ticket_id: int | None
    interaction_id: int | None
    status: InboundStatus
    email_id: int
    reason: str = ""
    warning: str = ""


class AttachmentOut(BaseModel):
    id: int
    interaction_id: int | None
    filename: str
    content_type: str
    size: int
    inline: bool
    stored: bool  # False: over the size limit, not kept
    url: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> AttachmentOut:
        return cls(
            id=row["id"],
            interaction_id=row["interaction"],
            filename=row["filename"],
            content_type=row["content_type"],
            size=row["size"],
            inline=row["inline"],
            stored=row["sha256"] is not None,
            url=f"/api/attachments/{row['id']}",
        )


# ---------------------------------------------------------------- web form, chat and social


class FormIn(Request):
    """A post of the web form (JSON, or application/x-www-form-urlencoded from a plain
    HTML form). Keys besides these are optional fields (order_number, interest, ...): a
    name of lower-case letters, digits and _, a text of up to 1000 characters; JSON may
    also carry them in `fields`. `website` is the honeypot: leave it empty."""

    model_config = ConfigDict(extra="allow")

    name: NonBlank = Field(max_length=200)
    email: Email = Field(max_length=254)
    phone: Text | None = Field(default=None, max_length=40)
    subject: NonBlank = Field(max_length=300)
    message: NonBlank = Field(max_length=20_000)
    website: Text = Field(default="", max_length=2000)
    fields: dict[str, Text] | None = Field(default=None, max_length=20)


class FormOut(BaseModel):
    """The same answer for every accepted post (a bot learns nothing from it)."""

    status: Literal["received"] = "received"


PLATFORM_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,39}$"
# How a bridge names its platform: lower-case letters, digits and _.- (the schema says so).
Platform = Annotated[
    str, Field(pattern=PLATFORM_PATTERN), ParameterKwarg(pattern=PLATFORM_PATTERN, max_length=40)
]


class ChannelMessageIn(Request):
    """A message from a chat widget or a social platform's bridge, signed with the
    integration's secret (header Servicedesk-Signature: t=<unix seconds>,v1=<hex
    HMAC-SHA256 of "<t>.<body>">)."""

    platform: Platform
    conversation_id: NonBlank = Field(max_length=150)
    message_id: NonBlank = Field(max_length=200)
    handle: NonBlank = Field(max_length=200)
    display_name: Text | None = Field(default=None, max_length=200)
    email: Email | None = Field(default=None, max_length=254)  # a chat widget may ask for it
    text: NonBlank = Field(max_length=20_000)
    subject: Text | None = Field(default=None, max_length=300)
    permalink: Text | None = Field(default=None, max_length=2000)
    sent_at: Instant | None = None


class ChannelMessageOut(BaseModel):
    """created: a new ticket (201); threaded: on the conversation's ticket; duplicate: the
    message id was received before, nothing changed (the first delivery's ids)."""

    status: Literal["created", "threaded", "duplicate"]
    ticket_id: int
    interaction_id: int | None


IntegrationKind = Literal["chat", "social"]


class IntegrationIn(Request):
    kind: IntegrationKind
    platform: Platform
    name: NonBlank = Field(max_length=100)
    # Where agents' replies are posted (signed with the secret); none: not sent out.
    reply_url: Text | None = Field(default=None, max_length=2000)
    active: bool = True


class IntegrationPatch(Changes):
    name: NonBlank | None = Field(default=None, max_length=100)
    reply_url: Text | None = Field(default=None, max_length=2000)
    active: bool | None = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class IntegrationOut(BaseModel):
    id: int
    kind: IntegrationKind
    platform: str
    name: str
    reply_url: str
    active: bool
    inbound_url: str  # where the bridge posts: an absolute URL at BASE_URL
    signature_header: str  # the header the bridge signs its posts in
    signature_tolerance_seconds: int  # how far its timestamp may be from the desk's clock
    created_at: datetime
    updated_at: datetime


class IntegrationSecretOut(IntegrationOut):
    """Answered once, at creation or rotation: the secret is never shown again."""

    secret: str


# ---------------------------------------------------------------- phone

CallDirection = Literal["inbound", "outbound"]
CallOutcome = Literal["answered", "no_answer", "voicemail", "callback_requested", "busy", "failed"]
DAY = 24 * 3600
# A call's length; the bounds also as ParameterKwarg, so that the OpenAPI schema says them
# when the field is optional.
Seconds = Annotated[Whole, Field(ge=0, le=DAY), ParameterKwarg(ge=0, le=DAY)]


class CallIn(Request):
    """A call an agent logs on a ticket."""

    direction: CallDirection
    started_at: Instant
    duration_seconds: Seconds
    outcome: CallOutcome
    notes: Text = Field(default="", max_length=20_000)


class CustomerCallIn(CallIn):
    """A call logged from a customer's profile: on their ticket `ticket_id`, or on a new
    phone ticket (with `subject`, else a summary of the call)."""

    ticket_id: Id | None = None
    subject: Text = Field(default="", max_length=300)


class CallOut(BaseModel):
    id: int
    call_id: str | None
    ticket_id: int
    interaction_id: int
    direction: str
    from_number: str
    to_number: str
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: int | None
    outcome: str
    notes: str
    recording_url: str
    source: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> CallOut:
        return cls(
            id=row["id"],
            call_id=row["call_id"],
            ticket_id=row["ticket"],
            interaction_id=row["interaction"],
            **{k: row[k] for k in CALL_FIELDS},
        )


CALL_FIELDS = (
    "direction",
    "from_number",
    "to_number",
    "started_at",
    "ended_at",
    "duration_seconds",
    "outcome",
    "notes",
    "recording_url",
    "source",
)


class CtiEvent(Request):
    """A CTI event. call.started needs `from` and `started_at` (`to` is our number);
    call.ended needs `duration` (seconds) and `outcome`, and may give `recording_url`."""

    event: Literal["call.started", "call.ended"]
    call_id: NonBlank = Field(max_length=200)
    # The caller: E.164, or a national number of PHONE_REGION; "anonymous" (or empty) for
    # a withheld number.
    caller: Text | None = Field(default=None, alias="from", max_length=40)
    to: Text = Field(default="", max_length=40)
    started_at: Instant | None = None
    duration: Seconds | None = None
    outcome: CallOutcome | None = None
    recording_url: Text = Field(default="", max_length=2000)  # http(s); checked: 422

    def missing(self) -> list[str]:
        """The fields the event needs and lacks."""
        needs = {"call.started": ("caller", "started_at"), "call.ended": ("duration", "outcome")}
        names = {"caller": "from"}
        return [names.get(f, f) for f in needs[self.event] if getattr(self, f) is None]


class CtiOut(BaseModel):
    """created: a new ticket; threaded: the caller's open phone ticket continued; ended:
    the call completed; duplicate: a repeated event, nothing changed."""

    status: Literal["created", "threaded", "ended", "duplicate"]
    call_id: str
    ticket_id: int
    interaction_id: int
