"""How automation plugs into the service desk (servicedesk.plugins): its routes, CLI
commands, tables, huey tasks and the consumer of the outbox's domain events."""

from __future__ import annotations

from servicedesk.plugins import Plugin


def plugin() -> Plugin:
    from .cli import automation
    from .macros.api import MacroController
    from .rules.api import DryRunController, RuleCatalogController, RuleController
    from .rules.followups import follow_ups_overtaken
    from .rules.runner import consume_many
    from .webhooks import service as webhooks
    from .webhooks.api import WebhookController
    from .webhooks.delivery import deliver_webhook

    return Plugin(
        name="automation",
        route_handlers=[
            RuleController,
            RuleCatalogController,
            DryRunController,
            MacroController,
            WebhookController,
        ],
        cli_commands=[automation],
        piccolo_apps=["automation.piccolo_app"],
        task_modules=["automation.rules.tasks"],
        event_batch_consumers=[consume_many, webhooks.fan_out_events],
        deliverers={webhooks.KIND: deliver_webhook},
        send_checks=[follow_ups_overtaken],
    )
