"""Piccolo app of automation: rules, their run log, macros, webhooks."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="automation",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(
        modules=[
            "automation.tables",
            "automation.rules.tables",
            "automation.webhooks.tables",
            "automation.macros.tables",
        ],
        exclude_imported=True,
    ),
)
