"""How automation plugs into the service desk (servicedesk.plugins): its routes, CLI
commands, tables, huey tasks and the consumer of the outbox's domain events."""

from __future__ import annotations

from servicedesk.plugins import Plugin


def plugin() -> Plugin:
    from .cli import automation
    from .rules.api import DryRunController, RuleCatalogController, RuleController
    from .rules.runner import consume

    return Plugin(
        name="automation",
        route_handlers=[RuleController, RuleCatalogController, DryRunController],
        cli_commands=[automation],
        piccolo_apps=["automation.piccolo_app"],
        task_modules=["automation.rules.tasks"],
        event_consumers=[consume],
    )
