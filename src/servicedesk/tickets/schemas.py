from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from servicedesk.channels.schemas import AttachmentOut, CallOut
from servicedesk.clock import as_utc, utcnow
from servicedesk.schemas import Changes, Email, Id, NonBlank, Page, Request, Tag, Text

from .rules import Channel, Priority, Status

__all__ = ["Channel", "Priority", "Status"]


class CustomerRef(BaseModel):
    id: int
    name: str
    email: str | None = None


class AgentRef(BaseModel):
    id: int
    name: str
    email: str


class SlaState(BaseModel):
    """The ticket's SLA target due next (servicedesk/sla): "due in 2 h", "breached 15 min
    ago", or paused while the ticket is pending or on hold."""

    target: Literal["first_response", "next_reply", "resolution"]
    due_at: datetime | None = Field(description="null while the clock is paused")
    breached: bool
    paused: bool

    @classmethod
    def of(cls, row: dict[str, Any], now: datetime) -> SlaState | None:
        target, due = row.get("sla_target"), row.get("sla_due_at")
        if target is None:
            return None
        if isinstance(due, str):  # SQLite gives a subquery's timestamp as text
            due = datetime.fromisoformat(due)
        due = as_utc(due) if due is not None else None
        return cls(
            target=target,
            due_at=due,
            breached=due is not None and due <= now,
            paused=due is None,
        )


class TicketSummary(BaseModel):
    id: int
    number: int
    subject: str
    status: Status
    priority: Priority
    channel: Channel
    customer: CustomerRef
    assignee: AgentRef | None
    team_id: int | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    sla: SlaState | None = None

    @classmethod
    def of(cls, row: dict[str, Any]) -> TicketSummary:
        assignee = None
        if row.get("assignee"):
            assignee = AgentRef(
                id=row["assignee"],
                name=row.get("assignee_name") or "",
                email=row.get("assignee_email") or "",
            )
        return cls(
            id=row["id"],
            number=row["id"],
            subject=row["subject"],
            status=row["status"],
            priority=row["priority"],
            channel=row["channel"],
            customer=CustomerRef(
                id=row["customer"],
                name=row.get("customer_name") or "",
                email=row.get("customer_email"),
            ),
            assignee=assignee,
            team_id=row["team"],
            tags=row.get("tags", []),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            sla=SlaState.of(row, utcnow()),
        )


class Author(BaseModel):
    kind: Literal["agent", "customer", "system"]
    id: int | None
    name: str


class InteractionOut(BaseModel):
    id: int
    ticket_id: int
    direction: Literal["inbound", "outbound"]
    channel: Channel
    # message, or call: a phone call, with its details in `call`
    kind: Literal["message", "call"] = "message"
    public: bool
    author: Author
    body_text: str
    body_html: str | None
    message_id: str | None
    created_at: datetime
    # An inbound email's files, and where its quoted history or signature starts in
    # body_text (the UI folds from there; the text is whole).
    attachments: list[AttachmentOut] = []
    fold_at: int | None = None
    call: CallOut | None = None

    @classmethod
    def of(cls, row: dict[str, Any], customer_name: str = "") -> InteractionOut:
        if row["author_kind"] == "agent":
            author = Author(kind="agent", id=row["author_agent"], name=row.get("author_name") or "")
        else:
            author = Author(kind="customer", id=row["customer"], name=customer_name)
        return cls(
            id=row["id"],
            ticket_id=row["ticket"],
            direction=row["direction"],
            channel=row["channel"],
            kind=row.get("kind") or "message",
            public=row["public"],
            author=author,
            body_text=row["body_text"],
            body_html=row["body_html"],
            message_id=row["message_id"],
            created_at=row["created_at"],
        )


class EventOut(BaseModel):
    id: int
    actor_kind: str
    actor_name: str | None
    field: str
    old_value: str | None
    new_value: str | None
    created_at: datetime


class Satisfaction(BaseModel):
    """The customer's latest CSAT answer for the ticket (and CES, when given)."""

    rating: int
    comment: str | None
    ces_score: int | None


class TicketDetail(TicketSummary):
    follow_up_of: int | None
    interactions: list[InteractionOut]
    events: list[EventOut]
    satisfaction: Satisfaction | None


class TicketPage(Page):
    items: list[TicketSummary]


class TicketCounts(BaseModel):
    mine: int
    unassigned: int
    pending: int
    open: int
    solved: int


class TicketUpdate(Changes):
    # Absent leaves status and priority as they are; they cannot be set to null.
    status: Status = Field(default=None)  # type: ignore[arg-type]
    priority: Priority = Field(default=None)  # type: ignore[arg-type]
    assignee_id: Id | None = None
    team_id: Id | None = None
    subject: NonBlank | None = Field(default=None, max_length=300)
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    add_tags: list[Tag] = Field(default_factory=list, max_length=50)
    remove_tags: list[Tag] = Field(default_factory=list, max_length=50)

    def changes(self) -> dict[str, Any]:
        """The fields the request names; assignee_id/team_id may be set to null."""
        return {key: getattr(self, key) for key in self.model_fields_set}


class MessageIn(Request):
    body: NonBlank = Field(max_length=100_000)
    public: bool = True
    channel: Channel | None = None


class IdentityIn(Request):
    email: Email | None = Field(default=None, max_length=254)
    phone: Text | None = Field(default=None, max_length=40)
    social: Text | None = Field(default=None, max_length=200)
    external_id: Text | None = Field(default=None, max_length=200)
    name: Text | None = Field(default=None, max_length=200)


class ThreadIn(Request):
    ticket_id: Id | None = None
    in_reply_to: Text | None = Field(default=None, max_length=300)
    external_id: Text | None = Field(default=None, max_length=200)


class ContactIn(Request):
    channel: Channel
    customer: IdentityIn
    subject: Text = Field(default="", max_length=300)
    body: Text = Field(default="", max_length=100_000)
    html: Text | None = Field(default=None, max_length=500_000)
    message_id: Text | None = Field(default=None, max_length=300)
    thread: ThreadIn | None = None


class ContactOut(BaseModel):
    ticket: TicketSummary
    interaction: InteractionOut
    replayed: bool
