"""The cx report's covering index again, now with the business-hours durations the report
reads beside the calendar ones (issue 14), so that the cohort is still read from the index
alone. Same name and column order as before, with the two business columns at the end."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T15:54:29:227418"
VERSION = "1.38.0"
DESCRIPTION = "business-hours durations in the cx report's covering index"

INDEX = "ticket_metrics_report"
CALENDAR_COLUMNS = (
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
COLUMNS = (
    *CALENDAR_COLUMNS,
    "full_resolution_business_minutes",
    "first_response_business_minutes",
)


class RawTable(Table):
    """Only to run raw SQL (Piccolo's recipe for raw migrations)."""


async def _replace_index(columns: tuple[str, ...]) -> None:
    await RawTable.raw(f"DROP INDEX {INDEX}")
    await RawTable.raw(f"CREATE INDEX {INDEX} ON ticket_metrics ({', '.join(columns)})")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cx", description=DESCRIPTION)

    async def widen() -> None:
        await _replace_index(COLUMNS)

    async def narrow() -> None:
        await _replace_index(CALENDAR_COLUMNS)

    manager.add_raw(widen)
    manager.add_raw_backwards(narrow)
    return manager
