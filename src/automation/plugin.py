"""How automation plugs into the service desk (servicedesk.plugins): its routes, CLI
commands, tables, huey tasks and the consumer of the outbox's domain events."""

from __future__ import annotations

from servicedesk.plugins import Plugin


def plugin() -> Plugin:
    return Plugin(
        name="automation",
        piccolo_apps=["automation.piccolo_app"],
    )
