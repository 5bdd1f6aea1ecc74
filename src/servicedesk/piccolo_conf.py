"""Piccolo configuration: the engine comes from DATABASE_URL."""

from piccolo.conf.apps import AppRegistry

from servicedesk.db import engine_from_url
from servicedesk.plugins import plugins
from servicedesk.settings import get_settings

DB = engine_from_url(get_settings().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "servicedesk.accounts.piccolo_app",
        "servicedesk.customers.piccolo_app",
        "servicedesk.tickets.piccolo_app",
        "servicedesk.cx.piccolo_app",
        "servicedesk.outbox.piccolo_app",
        "servicedesk.channels.piccolo_app",
        "servicedesk.sla.piccolo_app",
        "servicedesk.marketing.piccolo_app",
        "servicedesk.sales.piccolo_app",
        *[app for plugin in plugins() for app in plugin.piccolo_apps],
    ]
)
