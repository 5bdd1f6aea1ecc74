"""How automation plugs into the service desk (servicedesk.plugins): its routes, CLI
commands, tables, huey tasks and the consumer of the outbox's domain events."""

from __future__ import annotations

from servicedesk.plugins import Plugin


def plugin() -> Plugin:
    from automation.webhooks import service as webhooks
    from automation.webhooks.api import WebhookController
    from automation.webhooks.delivery import deliver_webhook

    return Plugin(
        name="automation",
        route_handlers=[WebhookController],
        piccolo_apps=["automation.piccolo_app"],
        event_consumers=[webhooks.fan_out_event],
        deliverers={webhooks.KIND: deliver_webhook},
    )
