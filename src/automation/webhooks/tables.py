"""Webhooks: where domain events are posted, and the keys that make each post happen once."""

from piccolo.columns import JSON, Boolean, Serial, Timestamptz, Varchar
from piccolo.table import Table


class Webhook(Table):
    id: Serial
    name = Varchar(length=100)
    url = Varchar(length=2000)
    events = JSON(default="[]")  # the topics it receives, e.g. ["ticket.created"]
    # Signs each delivery (HMAC-SHA256); shown to admins, who alone see webhooks.
    secret = Varchar(length=200)
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class WebhookDelivery(Table):
    """One row per (webhook, domain event) fanned out to the outbox: "<webhook>:<event>" is
    unique, so a consumer run again after a crash finds the key and queues nothing twice."""

    id: Serial
    key = Varchar(length=50, unique=True)
    created_at = Timestamptz()
