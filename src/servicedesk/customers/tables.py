"""Customers, their identities on every channel, and organizations."""

from piccolo.columns import JSON, Boolean, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from servicedesk.accounts.tables import Agent


class Organization(Table):
    id: Serial
    name = Varchar(length=200, unique=True)


class Customer(Table):
    id: Serial
    name = Varchar(length=200, default="")
    external_id = Varchar(length=200, unique=True, null=True, default=None)
    organization = ForeignKey(Organization, null=True)
    notes = Text(default="")
    tags = JSON(default="[]")
    # Mail to this customer bounced, or they opted out of surveys / marketing.
    email_bounced = Boolean(default=False)
    surveys_opt_out = Boolean(default=False)
    marketing_consent = Boolean(default=False)
    # Where the current consent answer came from (import, form, api, agent, unsubscribe) and
    # when; the history is in marketing's consent_change table.
    consent_source = Varchar(length=12, default="")
    consent_at = Timestamptz(null=True, default=None)
    merged_into: ForeignKey = ForeignKey("self", null=True)
    created_at = Timestamptz()
    # The customer's journey stage (one of settings.journey_stages, or none); its history
    # is in journey_change.
    journey_stage = Varchar(length=40, null=True, default=None, index=True)
    # Profile fields an agent (or an API client) typed: contact auto-fill never overwrites
    # them (customers.autofill).
    typed_fields = JSON(default="[]")


class CustomerIdentity(Table):
    """One way to reach a customer. `key` is "kind:value" so that the database, not Python,
    guarantees one customer per email, phone or handle, also under concurrent contacts."""

    id: Serial
    customer = ForeignKey(Customer, index=True)
    kind = Varchar(length=10)
    value = Varchar(length=254)  # as typed (a phone in E.164, with ";ext=" if it has one)
    key = Varchar(length=270, unique=True)
    # The canonical form that finds look-alikes (identities.match_key): an email without
    # its +tag, a phone without its extension, a handle without its platform. Not unique:
    # lookups fall back to it for email (a+tag@x.com finds a@x.com) and duplicate
    # suggestions compare it.
    match = Varchar(length=270, default="", index=True)
    domain = Varchar(length=254, default="", index=True)  # an email's domain, lower case


class CustomerEvent(Table):
    """Append-only audit of a customer: identities added or removed, merges (who, when,
    what moved)."""

    id: Serial
    customer = ForeignKey(Customer, index=True)
    actor_kind = Varchar(length=10)
    actor_label = Varchar(length=200, default="")
    action = Varchar(length=30)  # identity_added | identity_removed | merged | merged_into
    detail = JSON(default="{}")
    created_at = Timestamptz()


class JourneyChange(Table):
    """One change of a customer's journey stage: from, to, who or what (an agent, a rule,
    the importer, the API) and when. The funnel report counts these."""

    id: Serial
    customer = ForeignKey(Customer, index=True)
    from_stage = Varchar(length=40, null=True, default=None)
    to_stage = Varchar(length=40, null=True, default=None)
    source = Varchar(length=10)  # agent | api | rule | import | system
    actor_agent = ForeignKey(Agent, null=True)
    actor_label = Varchar(length=200, default="")
    created_at = Timestamptz(index=True)
