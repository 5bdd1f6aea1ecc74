"""Sales leads and their history (stage changes, edits, merges: who and when)."""

from piccolo.columns import (
    JSON,
    BigInt,
    Date,
    ForeignKey,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from servicedesk.accounts.tables import Agent, Team
from servicedesk.customers.tables import Customer
from servicedesk.marketing.tables import Campaign
from servicedesk.tickets.tables import Ticket


class Lead(Table):
    """A sales opportunity with a customer. `open_key` is the customer id while the lead
    is open (not won, lost or merged) and NULL after: the unique index keeps one open lead
    per customer, also when two contacts create one at the same moment."""

    id: Serial
    customer = ForeignKey(Customer, index=True)
    source_channel = Varchar(length=20, default="manual")  # the ticket's channel, or manual
    source_ticket = ForeignKey(Ticket, null=True, default=None)
    stage = Varchar(length=40, default="new", index=True)
    value_cents = BigInt(default=0)  # money in cents (no float rounding in the sums)
    currency = Varchar(length=3, default="EUR")
    owner = ForeignKey(Agent, null=True, default=None, index=True)
    team = ForeignKey(Team, null=True, default=None)
    expected_close_date = Date(null=True, default=None)
    lost_reason = Varchar(length=500, default="")
    campaign = ForeignKey(Campaign, null=True, default=None, index=True)  # attribution
    merged_into: ForeignKey = ForeignKey("self", null=True, default=None)
    open_key = Varchar(length=20, null=True, default=None, unique=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    stage_changed_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)


class LeadEvent(Table):
    """One line of a lead's history: created, stage (from -> to), changed (the fields'
    [old, new]), contact (a duplicate capture folded in), merged (another lead folded in)."""

    id: Serial
    lead = ForeignKey(Lead, index=True)
    kind = Varchar(length=10)
    from_stage = Varchar(length=40, null=True, default=None)
    to_stage = Varchar(length=40, null=True, default=None)
    changes = JSON(default="{}")
    actor_kind = Varchar(length=10)  # agent | customer | system | rule
    actor_agent = ForeignKey(Agent, null=True, default=None)
    actor_label = Varchar(length=200, default="")
    at = Timestamptz(index=True)
