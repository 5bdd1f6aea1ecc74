"""Piccolo app of the marketing domain."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="marketing",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=["servicedesk.marketing.tables"], exclude_imported=True),
)
