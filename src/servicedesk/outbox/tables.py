"""Outbox: domain events and emails, written in the transaction of the change."""

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from servicedesk.tickets.tables import Ticket


class OutboxMessage(Table):
    id: Serial
    kind = Varchar(length=10)  # email | event
    topic = Varchar(length=60, default="")  # event name, e.g. ticket.solved
    payload = JSON(default="{}")
    ticket = ForeignKey(Ticket, null=True, index=True)
    to_address = Varchar(length=254, default="")
    subject = Varchar(length=400, default="")
    body_text = Text(default="")
    message_id = Varchar(length=300, default="", index=True)  # threading and bounces look it up
    in_reply_to = Varchar(length=300, default="")
    references = Text(default="")
    # pending | sending | sent | failed | bounced (refused for good by the SMTP server) |
    # cancelled (a send-time check stopped it) | unknown (see handed_over_at). Indexed on
    # (status, id), for paging through the due rows: a migration's raw SQL creates it
    # (migrations/outbox_2026_11_30t02_40_00_000000.py), as Piccolo declares no such index.
    status = Varchar(length=10, default="pending")
    attempts = Integer(default=0)
    last_error = Text(default="")
    not_before = Timestamptz()
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    # Set just before the message's DATA goes to the SMTP server: a row a dead worker left
    # "sending" with this set may have been delivered, so it is not sent again (unknown).
    handed_over_at = Timestamptz(null=True, default=None)
