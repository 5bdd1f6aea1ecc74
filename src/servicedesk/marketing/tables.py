"""Consent history, the suppression list, segments, campaigns and their recipients."""

from piccolo.columns import JSON, Boolean, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from servicedesk.accounts.tables import Agent
from servicedesk.customers.tables import Customer
from servicedesk.outbox.tables import OutboxMessage


class ConsentChange(Table):
    """Each change of a customer's marketing consent: given or withdrawn, from where, by
    whom, when. The current answer is on the customer (marketing_consent)."""

    id: Serial
    customer = ForeignKey(Customer, index=True)
    consent = Boolean()
    source = Varchar(length=12)  # import | form | api | agent | unsubscribe
    actor_label = Varchar(length=200, default="")
    created_at = Timestamptz()


class Segment(Table):
    """A saved filter over customers (the conditions object of automation rules over
    customer.* fields); its members are computed when asked."""

    id: Serial
    name = Varchar(length=200, unique=True)
    conditions = JSON(default='{"all": [], "any": []}')
    created_by = ForeignKey(Agent, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Campaign(Table):
    """A segment campaign (one send to a segment's members, now or at send_at) or a
    triggered one (no segment: automation rules send it to one customer at a time)."""

    id: Serial
    name = Varchar(length=200)
    kind = Varchar(length=10, default="segment")  # segment | triggered
    segment = ForeignKey(Segment, index=True)  # null for a triggered campaign
    subject = Varchar(length=400)
    body = Text()
    # segment: draft | scheduled | sending | sent; triggered: active
    status = Varchar(length=10, default="draft")
    send_at = Timestamptz(null=True, default=None, index=True)
    queued_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(Agent, null=True)
    created_at = Timestamptz()


class Suppression(Table):
    """Customers no marketing email goes to, whatever their consent says: one row per
    customer and reason, the first time it happened."""

    id: Serial
    customer = ForeignKey(Customer, index=True)
    reason = Varchar(length=12)  # unsubscribed | bounced | complained
    # "customer:reason": the database keeps one row per pair, also under races.
    key = Varchar(length=40, unique=True)
    campaign = ForeignKey(Campaign, null=True, index=True)
    created_at = Timestamptz()


class CampaignRecipient(Table):
    """One customer of a campaign, decided once: queued (with its outbox email) or skipped
    with the reason. `key` ("campaign:customer") is unique, so a second send, a retried
    batch or two workers at once can never queue a customer twice."""

    id: Serial
    campaign = ForeignKey(Campaign, index=True)
    customer = ForeignKey(Customer, index=True)
    key = Varchar(length=40, unique=True)
    # queued | skipped_no_consent | skipped_suppressed | skipped_frequency_cap
    status = Varchar(length=24)
    outbox = ForeignKey(OutboxMessage, null=True)
    queued_at = Timestamptz(index=True)
    bounced_at = Timestamptz(null=True, default=None)  # a bounce reported after delivery
    # Who decided it: the agent who sent the campaign, or "rule: NAME" for a triggered one.
    cause = Varchar(length=200, default="")
