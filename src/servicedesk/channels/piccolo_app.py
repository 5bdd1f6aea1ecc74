"""Piccolo app of the channels domain (email in)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="channels",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=["servicedesk.channels.tables"], exclude_imported=True),
)
