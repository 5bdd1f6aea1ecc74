"""Tickets, their interactions, tags, the audit trail and idempotency keys."""

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from servicedesk.accounts.tables import Agent, Team
from servicedesk.customers.tables import Customer


class Ticket(Table):
    id: Serial
    subject = Varchar(length=300)
    status = Varchar(length=10, default="new", index=True)
    priority = Varchar(length=10, default="normal")
    channel = Varchar(length=10)
    customer = ForeignKey(Customer, index=True)
    assignee = ForeignKey(Agent, null=True, index=True)
    team = ForeignKey(Team, null=True)
    external_id = Varchar(length=200, unique=True, null=True, default=None)
    follow_up_of: ForeignKey = ForeignKey("self", null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz(index=True)
    solved_at = Timestamptz(null=True, default=None)
    # How many events of an imported ticket were applied, so a re-import appends only new ones.
    imported_events = Integer(default=0)


class Interaction(Table):
    id: Serial
    ticket = ForeignKey(Ticket, index=True)
    customer = ForeignKey(Customer, index=True)
    direction = Varchar(length=8)
    channel = Varchar(length=10)
    # message | call (a phone call: its details in channels' phone_call, by interaction)
    kind = Varchar(length=10, default="message")
    public = Boolean(default=True)
    author_kind = Varchar(length=10)
    author_agent = ForeignKey(Agent, null=True)
    body_text = Text(default="")
    body_html = Text(null=True, default=None)
    message_id = Varchar(length=300, null=True, default=None, index=True)
    created_at = Timestamptz()


class TicketTag(Table):
    id: Serial
    ticket = ForeignKey(Ticket, index=True)
    tag = Varchar(length=100, index=True)


class TicketEvent(Table):
    """Append-only audit: who changed what, from which value to which, when."""

    id: Serial
    ticket = ForeignKey(Ticket, index=True)
    actor_kind = Varchar(length=10)
    actor_agent = ForeignKey(Agent, null=True)
    actor_label = Varchar(length=200, default="")
    field = Varchar(length=30)
    old_value = Text(null=True, default=None)
    new_value = Text(null=True, default=None)
    created_at = Timestamptz()


class IdempotencyKey(Table):
    id: Serial
    key = Varchar(length=200, unique=True)
    response = JSON(default="{}")
    created_at = Timestamptz()


__all__ = ["Ticket", "Interaction", "TicketTag", "TicketEvent", "IdempotencyKey"]
