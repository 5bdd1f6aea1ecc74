"""The cx report's covering index: ticket_metrics by last_solved_at with every column the
report reads, so that the cohort of a period is read from the index alone (SQLite has no
INCLUDE, so the columns are key columns on both engines). It starts with last_solved_at
and so replaces that column's own index. Piccolo tables cannot declare a multi-column
index: the index is created here with raw SQL, and cx/tables.py says so."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.table import Table

ID = "2026-11-26T14:49:30:942494"
VERSION = "1.38.0"
DESCRIPTION = "covering index for the cx report on ticket_metrics"

INDEX = "ticket_metrics_report"
COLUMNS = (
    "last_solved_at",
    "status",
    "channel",
    "agent",
    "team",
    "created_at",
    "agent_public_replies",
    "reopens",
    "inbound_before_first_solve",
    "replies_before_first_solve",
    "repeat_contact_ticket",
    "rating",
    "surveys_sent",
    "full_resolution_minutes",
    "first_response_minutes",
)


class RawTable(Table):
    """Only to run raw SQL (Piccolo's recipe for raw migrations)."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cx", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="TicketMetrics",
        tablename="ticket_metrics",
        column_name="last_solved_at",
        db_column_name="last_solved_at",
        params={"index": False},
        old_params={"index": True},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    async def create_index() -> None:
        await RawTable.raw(f"CREATE INDEX {INDEX} ON ticket_metrics ({', '.join(COLUMNS)})")

    async def drop_index() -> None:
        await RawTable.raw(f"DROP INDEX {INDEX}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
