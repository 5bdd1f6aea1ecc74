"""Plugins: packages that extend the service desk without the desk importing them.

Automation (src/automation) plugs in this way: servicedesk never imports it; it is found
through the `servicedesk.plugins` entry point group of the installed packages
(pyproject.toml), and brings its routes, CLI commands, Piccolo app, huey tasks, the
consumers of the outbox's domain events and the deliverers of its own outbox kinds.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

# Called by the worker for each domain event row of the outbox (a dict of the row, with its
# payload parsed), before the row is marked delivered; raising puts the row back in line
# with backoff, so a consumer must be idempotent per event id.
EventConsumer = Callable[[dict[str, Any]], Awaitable[None]]
# The same for a batch of event rows (in id order, as one worker claimed them): returns the
# rows that failed, each with its error; those are put back in line with backoff, the
# others marked delivered. Per-batch work (reading the rule set, the rows' tickets in one
# query) is what makes a worker keep up with thousands of events a second.
EventBatchConsumer = Callable[[list[dict[str, Any]]], Awaitable[dict[int, Exception]]]
# Delivers one outbox row of a plugin's own kind (e.g. "webhook"); raising
# DeliveryFailed (or OSError) counts as a failed attempt, retried with backoff.
Deliverer = Callable[[dict[str, Any]], Awaitable[None]]
# Checks a plugin makes on claimed email rows just before they are sent (automation: a
# follow-up whose ticket heard from the customer since it was scheduled): returns the rows
# not to send, each with the reason; those are cancelled.
SendCheck = Callable[[list[dict[str, Any]]], Awaitable[dict[int, str]]]

GROUP = "servicedesk.plugins"


class DeliveryFailed(Exception):
    """A plugin's delivery did not go through; the outbox retries it with backoff."""


@dataclass(frozen=True)
class Plugin:
    name: str
    route_handlers: Sequence[Any] = ()
    cli_commands: Sequence[Any] = ()  # click commands or groups added to `servicedesk`
    piccolo_apps: Sequence[str] = ()  # dotted paths of piccolo_app modules
    task_modules: Sequence[str] = ()  # modules defining huey tasks, imported by the worker
    event_consumers: Sequence[EventConsumer] = ()
    event_batch_consumers: Sequence[EventBatchConsumer] = ()
    deliverers: dict[str, Deliverer] = field(default_factory=dict)
    send_checks: Sequence[SendCheck] = ()


@functools.cache
def plugins() -> tuple[Plugin, ...]:
    """The installed plugins, loaded once per process."""
    found: list[Plugin] = []
    for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        plugin = entry.load()
        if callable(plugin) and not isinstance(plugin, Plugin):
            plugin = plugin()
        assert isinstance(plugin, Plugin), f"{entry.value} is not a servicedesk Plugin"
        found.append(plugin)
    return tuple(found)


def deliverer(kind: str) -> Deliverer | None:
    for plugin in plugins():
        if kind in plugin.deliverers:
            return plugin.deliverers[kind]
    return None


def event_consumers() -> list[EventConsumer]:
    return [consumer for plugin in plugins() for consumer in plugin.event_consumers]


def event_batch_consumers() -> list[EventBatchConsumer]:
    return [consumer for plugin in plugins() for consumer in plugin.event_batch_consumers]


def send_checks() -> list[SendCheck]:
    return [check for plugin in plugins() for check in plugin.send_checks]
