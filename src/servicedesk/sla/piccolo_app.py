"""Piccolo app of the sla domain (SLA policies; the per-ticket SLA facts live in cx)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="sla",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=["servicedesk.sla.tables"], exclude_imported=True),
)
