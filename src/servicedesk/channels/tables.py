"""Inbound channels: every email received (raw kept 30 days), its attachments, bouncing
addresses; web form submissions; chat and social integrations and their messages."""

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from servicedesk.outbox.tables import OutboxMessage
from servicedesk.tickets.tables import Interaction, Ticket


class InboundEmail(Table):
    """One received message, whichever door it came through. `message_id` is unique: a
    second delivery of the same message is a duplicate and changes nothing (a message
    without a Message-ID gets one made from the hash of its bytes)."""

    id: Serial
    message_id = Varchar(length=300, unique=True)
    sender = Varchar(length=254, default="", index=True)
    subject = Varchar(length=400, default="")
    door = Varchar(length=10, default="http")  # http | smtp | imap
    # created | threaded | ignored | bounce | unparsed
    status = Varchar(length=10)
    ticket = ForeignKey(Ticket, null=True, index=True)
    interaction = ForeignKey(Interaction, null=True, index=True)
    # Auto-Submitted, Precedence bulk/junk/list, X-Autoreply, List-Id, mailer-daemon, or over
    # the sender's rate limit: nothing automatic may answer it (docs/channels.md).
    automated = Boolean(default=False)
    reason = Varchar(length=60, default="")  # why it was flagged or ignored
    warning = Text(default="")  # what went wrong parsing it, for an admin
    # Where the quoted history or signature starts in the interaction's body_text
    # (characters); the UI folds from there. None: nothing to fold.
    fold_at = Integer(null=True, default=None)
    bounced_outbox = ForeignKey(OutboxMessage, null=True)  # the email a DSN answers
    raw_message = Bytea(null=True, default=None)  # as received; purged after 30 days
    received_at = Timestamptz(index=True)


class Attachment(Table):
    """A file of an inbound message; its bytes live in the attachment store under their
    SHA-256 (stored once however often they arrive)."""

    id: Serial
    ticket = ForeignKey(Ticket, index=True)
    interaction = ForeignKey(Interaction, null=True, index=True)
    email = ForeignKey(InboundEmail, index=True)
    filename = Varchar(length=255, default="")
    content_type = Varchar(length=100)  # sniffed from the bytes, never the sender's header
    size = Integer()
    sha256 = Varchar(length=64, null=True, default=None)  # None: over the size limit
    inline = Boolean(default=False)
    content_id = Varchar(length=300, default="")


class BouncingAddress(Table):
    """An address our mail bounced from: hard (5.x.x) stops mail to it; soft (4.x.x)
    bounces are counted."""

    id: Serial
    address = Varchar(length=254, unique=True)
    hard = Boolean(default=False)
    soft_bounces = Integer(default=0)
    last_status = Varchar(length=20, default="")
    last_outbox = ForeignKey(OutboxMessage, null=True)
    updated_at = Timestamptz()


class FormSubmission(Table):
    """One post of the web form, kept for the rate limit (per email and per client IP) and
    the spam log: a filled honeypot is recorded (`spam`) and nothing else happens. The
    optional fields (order_number, interest, ...) are kept here and read by rules as
    `ticket.form.<name>` (docs/channels.md)."""

    id: Serial
    email = Varchar(length=254, default="", index=True)
    ip = Varchar(length=45, default="", index=True)
    origin = Varchar(length=200, default="")
    spam = Boolean(default=False)
    fields = JSON(default="{}")
    ticket = ForeignKey(Ticket, null=True, index=True)
    interaction = ForeignKey(Interaction, null=True)
    created_at = Timestamptz(index=True)


class ChannelIntegration(Table):
    """A chat widget or a social platform's bridge, configured by an admin: `kind` chat or
    social, `platform` as the bridge names it (unique per kind). The secret signs both ways
    (the bridge's posts to us, our replies to `reply_url`); it is shown once, at creation
    or rotation."""

    id: Serial
    kind = Varchar(length=10)  # chat | social
    platform = Varchar(length=40)
    key = Varchar(length=60, unique=True)  # "<kind>:<platform>"
    name = Varchar(length=100, default="")
    secret = Varchar(length=200)
    reply_url = Varchar(length=2000, default="")  # "": agents' replies are not sent out
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ChannelMessage(Table):
    """One message received from a chat or social integration. `key` is
    "<integration>:<message id>", unique: a second delivery changes nothing. The latest
    message of a conversation names the ticket its next message threads into."""

    id: Serial
    integration = ForeignKey(ChannelIntegration, index=True)
    key = Varchar(length=300, unique=True)
    conversation_id = Varchar(length=200, index=True)
    handle = Varchar(length=200, default="")
    permalink = Varchar(length=2000, default="")
    sent_at = Timestamptz(null=True, default=None)
    ticket = ForeignKey(Ticket, index=True)
    interaction = ForeignKey(Interaction, null=True)
    received_at = Timestamptz()


class PhoneCall(Table):
    """A phone call on a ticket's timeline (its interaction has kind "call"): logged by an
    agent, or reported by a CTI system. `call_id` is the CTI's id, unique: a repeated event
    changes nothing. `ended_at` None: the CTI said it started and not yet that it ended."""

    id: Serial
    call_id = Varchar(length=200, unique=True, null=True, default=None)
    ticket = ForeignKey(Ticket, index=True)
    interaction = ForeignKey(Interaction, unique=True)
    direction = Varchar(length=8)  # inbound | outbound
    from_number = Varchar(length=40, default="")
    to_number = Varchar(length=40, default="")
    started_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
    duration_seconds = Integer(null=True, default=None)
    # answered | no_answer | voicemail | callback_requested | busy | failed; "" while live
    outcome = Varchar(length=20, default="")
    notes = Text(default="")
    recording_url = Varchar(length=2000, default="")
    source = Varchar(length=5, default="agent")  # agent | cti


__all__ = [
    "InboundEmail",
    "Attachment",
    "BouncingAddress",
    "FormSubmission",
    "ChannelIntegration",
    "ChannelMessage",
    "PhoneCall",
]
