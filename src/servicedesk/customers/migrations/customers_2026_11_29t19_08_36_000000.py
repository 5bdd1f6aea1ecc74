"""match and domain of the identities there are, after the columns were added (the rule
of servicedesk.customers.identities when this was written; raw SQL, so that later changes
of the table class cannot change what this migration does)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-29T19:08:36:000000"
VERSION = "1.38.0"
DESCRIPTION = "Backfill customer_identity.match and .domain"


class RawTable(Table):
    """Only to run raw SQL (Piccolo's recipe for raw migrations)."""


def look_alike(kind: str, value: str) -> tuple[str, str]:
    value, domain = value.strip(), ""
    if kind == "email":
        local, _, domain = value.lower().rpartition("@")
        return f"email:{local.split('+', 1)[0] or local}@{domain}", domain
    if kind == "phone":
        return f"phone:{value.split(';', 1)[0]}", domain
    return f"handle:{value.partition(':')[2].strip().lower().lstrip('@')}", domain


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="customers", description=DESCRIPTION)

    async def backfill() -> None:
        rows = await RawTable.raw('SELECT "id", "kind", "value" FROM "customer_identity"')
        for row in rows:
            match, domain = look_alike(row["kind"], row["value"])
            await RawTable.raw(
                'UPDATE "customer_identity" SET "match" = {}, "domain" = {} WHERE "id" = {}',
                match,
                domain,
                row["id"],
            )

    manager.add_raw(backfill)
    return manager
