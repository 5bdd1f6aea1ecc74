"""Data: the shared macros that replace the canned replies once hard-coded in
servicedesk/tickets/api.py (docs/automation.md lists them). Written by hand: piccolo
generates schema changes only. Admins may edit or delete them afterwards."""

import json
from datetime import UTC, datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-11-29T16:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "shared macros in place of the canned replies"

SIGN = "\n\n{{ agent.name }}"
MACROS = [
    ("Greeting", [], "Hi {{ customer.name or 'there' }},\n\nThanks for reaching out. "),
    (
        "Looking into it",
        [],
        "Hi {{ customer.name or 'there' }},\n\nI am looking into this now and will get back"
        " to you shortly." + SIGN,
    ),
    (
        "Solved",
        [{"type": "set", "field": "status", "value": "solved"}],
        "Hi {{ customer.name or 'there' }},\n\nThis should now be resolved. If anything is"
        " still not right, just reply to this message (ticket #{{ ticket.id }})." + SIGN,
    ),
    (
        "Need more details",
        [{"type": "set", "field": "status", "value": "pending"}],
        "Hi {{ customer.name or 'there' }},\n\nCould you send us your order number and a"
        " short description of what you see?" + SIGN,
    ),
]


class Macro(Table, tablename="macro", schema=None):
    """The columns this migration writes, as they were when it was written."""

    id = Serial(primary_key=True)
    name = Varchar(length=100)
    actions = JSON(default="[]")
    reply = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="automation", description=DESCRIPTION)

    async def seed() -> None:
        now = datetime.now(UTC)
        await Macro.insert(
            *[
                Macro(
                    name=name,
                    actions=json.dumps(actions),
                    reply=reply,
                    created_at=now,
                    updated_at=now,
                )
                for name, actions, reply in MACROS
            ]
        )

    async def unseed() -> None:
        await Macro.delete().where(Macro.name.is_in([name for name, _, _ in MACROS]))

    manager.add_raw(seed)
    manager.add_raw_backwards(unseed)
    return manager
