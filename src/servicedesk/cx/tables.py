"""Per-ticket metric facts and surveys."""

from piccolo.columns import (
    Boolean,
    DoublePrecision,
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
from servicedesk.tickets.tables import Ticket


class TicketMetrics(Table):
    """The facts of docs/metrics.md, one row per ticket, updated with every event."""

    id: Serial
    ticket = ForeignKey(Ticket, unique=True)
    customer = ForeignKey(Customer, index=True)
    channel = Varchar(length=10)
    status = Varchar(length=10)
    agent = ForeignKey(Agent, null=True)  # assignee at the last solve
    team = ForeignKey(Team, null=True)  # team at the last solve
    created_at = Timestamptz(index=True)
    first_solved_at = Timestamptz(null=True, default=None, index=True)
    # Indexed by the report's covering index (migration cx_2026_11_26t14_49_30), whose
    # first column it is: Piccolo tables cannot declare a multi-column index.
    last_solved_at = Timestamptz(null=True, default=None)
    solves = Integer(default=0)
    reopens = Integer(default=0)
    inbound_before_first_solve = Integer(default=0)
    replies_before_first_solve = Integer(default=0)
    agent_public_replies = Integer(default=0)
    first_response_at = Timestamptz(null=True, default=None)
    first_response_minutes = DoublePrecision(null=True, default=None)
    first_response_business_minutes = DoublePrecision(null=True, default=None)
    full_resolution_minutes = DoublePrecision(null=True, default=None)
    full_resolution_business_minutes = DoublePrecision(null=True, default=None)
    repeat_contact_ticket = ForeignKey(Ticket, null=True)
    rating = Integer(null=True, default=None)
    rating_comment = Text(null=True, default=None)
    surveys_sent = Integer(default=0)
    # SLA facts, written only by servicedesk.sla.facts: the policy applied, the clock of
    # each target (JSON text, see sla/clock.py), the target due next and its due time (the
    # inbox's badge and "breaching soon"), when the breach check must look next, and
    # per target how often it was met or missed (the cx report's achievement).
    sla_policy = Integer(null=True, default=None)
    sla_clock = Text(null=True, default=None)
    sla_target = Varchar(length=20, null=True, default=None)
    sla_due_at = Timestamptz(null=True, default=None, index=True)
    sla_check_at = Timestamptz(null=True, default=None, index=True)
    sla_first_response_met = Integer(default=0)
    sla_first_response_missed = Integer(default=0)
    sla_next_reply_met = Integer(default=0)
    sla_next_reply_missed = Integer(default=0)
    sla_resolution_met = Integer(default=0)
    sla_resolution_missed = Integer(default=0)


class Survey(Table):
    """A survey invitation sent to a customer; its signed link names `nonce`."""

    id: Serial
    kind = Varchar(length=5)  # csat | nps
    customer = ForeignKey(Customer, index=True)
    ticket = ForeignKey(Ticket, null=True, index=True)
    solve_number = Integer(default=0)
    nonce = Varchar(length=64, unique=True)
    anonymous = Boolean(default=False)
    sent_at = Timestamptz()
    link_used_at = Timestamptz(null=True, default=None)


class SurveyResponse(Table):
    id: Serial
    kind = Varchar(length=5)  # csat | nps | ces
    customer = ForeignKey(Customer, index=True)
    ticket = ForeignKey(Ticket, null=True, index=True)
    survey = ForeignKey(Survey, null=True)
    score = Integer()
    comment = Text(null=True, default=None)
    anonymous = Boolean(default=False)
    created_at = Timestamptz(index=True)
