"""The statements that write rows agree with the tables: built from the Piccolo classes,
matching the migrated database, and the only SQL text that writes rows."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.conf.apps import Finder
from piccolo.table import Table

from servicedesk import statements, writes
from servicedesk.db import fetch, id_list, is_sqlite, write_transaction

SRC = Path(__file__).resolve().parents[2] / "src" / "servicedesk"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def all_tables() -> list[type[Table]]:
    return Finder().get_table_classes()


def test_every_table_of_the_apps_is_found() -> None:
    names = {table._meta.tablename for table in all_tables()}
    assert {"ticket", "interaction", "customer", "outbox_message", "ticket_metrics"} <= names


@pytest.mark.parametrize("table", all_tables(), ids=lambda table: table._meta.tablename)
def test_the_insert_names_every_column_of_the_table_once(table: type[Table]) -> None:
    declared = [column._meta.db_column_name for column in table._meta.columns]
    text = statements.insert(table, returning=False).template
    named = re.findall(r'"([^"]+)"', text.split("VALUES")[0])
    assert named[0] == table._meta.tablename
    assert named[1:] == [name for name in declared if name != "id"]
    assert text.count("{}") == len(declared) - 1
    with_id = statements.insert(table, returning=False, with_id=True).template
    assert re.findall(r'"([^"]+)"', with_id.split("VALUES")[0])[1:] == declared


@pytest.mark.parametrize("table", all_tables(), ids=lambda table: table._meta.tablename)
async def test_the_migrated_table_has_the_columns_the_statements_write(
    table: type[Table],
) -> None:
    """A column added to a class without its migration fails here, not in production."""
    name = table._meta.tablename
    if is_sqlite():
        rows = await table.raw(f'PRAGMA table_info("{name}")')
        in_database = {row["name"] for row in rows}
    else:
        rows = await table.raw(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = {}",
            name,
        )
        in_database = {row["column_name"] for row in rows}
    assert in_database == {"id", *statements.columns(table)}


def test_an_update_of_a_column_the_table_lacks_is_refused() -> None:
    from servicedesk.tickets.tables import Ticket

    with pytest.raises(AssertionError, match="no column"):
        statements.update(Ticket, set_columns=("colour",))


def test_no_other_sql_text_in_the_services_writes_rows() -> None:
    """Rows are written through servicedesk.writes (statements built from the tables) or
    Piccolo; an INSERT or UPDATE typed out again would repeat a table's columns."""
    writing = re.compile(r"\bINSERT\s+INTO\b|\bUPDATE\s+\"?\w+\"?\s+SET\b", re.IGNORECASE)
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        and path.name != "statements.py"
        and writing.search(path.read_text())
    ]
    assert offenders == []


class Probe(Table, tablename="statements_probe"):
    """A table that exists only for this test: its last column stands for one added to a
    class later, with nothing else edited."""

    name = Varchar(length=50, null=True)
    count = Integer(default=0)
    created_at = Timestamptz()
    added_later = Text(default="its default")


@pytest.fixture
async def probe() -> AsyncIterator[type[Probe]]:
    await Probe.create_table(if_not_exists=True)
    try:
        yield Probe
    finally:
        await Probe.alter().drop_table(if_exists=True)


async def test_a_column_added_to_a_table_class_is_written_live_and_in_a_batch(
    probe: type[Probe],
) -> None:
    live = {"name": "live", "created_at": NOW}
    live_id = await writes.insert(probe, live)
    await writes.update(probe, live, {"name": "live, renamed"}, add={"count": 2})
    async with write_transaction(), writes.unit_of_work():
        batched = {"name": "batched", "created_at": NOW, "added_later": "set"}
        await writes.insert(probe, batched)
        await writes.update(probe, batched, {"name": "batched, renamed"}, add={"count": 1})
        kept = {"name": "kept", "created_at": NOW}
        await writes.insert(probe, kept, need_id=True)
    async with write_transaction(), writes.unit_of_work():
        await writes.update(probe, kept, {"added_later": "changed in a later batch"})
    rows = await probe.select().order_by(probe.name)
    assert [(row["name"], row["count"], row["added_later"]) for row in rows] == [
        ("batched, renamed", 1, "set"),
        ("kept", 0, "changed in a later batch"),
        ("live, renamed", 2, "its default"),
    ]
    assert rows[1]["id"] == kept["id"]
    assert rows[2]["id"] == live_id
    assert all(row["created_at"] == NOW for row in rows)


async def test_an_update_when_null_changes_only_rows_where_the_column_is_null(
    probe: type[Probe],
) -> None:
    first = {"name": "first", "created_at": NOW}
    await writes.insert(probe, first)
    await writes.update(probe, {"id": first["id"]}, {"name": None})
    second = {"name": "second", "created_at": NOW}
    await writes.insert(probe, second)
    for row in (first, second):
        await writes.update(probe, {"id": row["id"]}, add={"count": 5}, when_null="name")
    rows = await probe.select(probe.count).order_by(probe.id)
    assert [row["count"] for row in rows] == [5, 0]


async def test_an_update_of_listed_ids_changes_those_meeting_its_conditions_and_returns_them(
    probe: type[Probe],
) -> None:
    rows = [{"name": f"row {n}", "count": n, "created_at": NOW} for n in range(5)]
    ids = await writes.insert_many(probe, rows)
    sql = statements.update_listed(
        probe,
        set_columns=("name",),
        add_columns=("count",),
        conditions=(("count", ">="), ("added_later", "=")),
        returning=True,
    )
    # Listed: the first four; meeting the conditions: count >= 2. One parameter for the ids.
    changed = await fetch(sql.for_engine(), "claimed", 10, id_list(ids[:4]), 2, "its default")
    assert sorted((row["id"], row["name"], row["count"]) for row in changed) == [
        (ids[2], "claimed", 12),
        (ids[3], "claimed", 13),
    ]
    after = await probe.select(probe.name).order_by(probe.id)
    assert [row["name"] for row in after] == ["row 0", "row 1", "claimed", "claimed", "row 4"]
    with pytest.raises(AssertionError, match="no column"):
        statements.update_listed(probe, set_columns=("name",), conditions=(("colour", "="),))


async def test_a_delete_by_key_removes_only_the_rows_with_that_value(probe: type[Probe]) -> None:
    await writes.insert_many(probe, [{"name": n, "created_at": NOW} for n in ("a", "b", "a")])
    await fetch(statements.delete(probe, key="name"), "a")
    assert [row["name"] for row in await probe.select(probe.name)] == ["b"]


async def test_later_writes_go_in_at_the_end_of_the_change_with_their_ids(
    probe: type[Probe],
) -> None:
    """insert_later and update(later=True): written just before the change commits (on
    PostgreSQL in as few statements as can be: two UPDATEs of one table are not combined,
    as one statement must not change a row twice), ids set where asked for."""
    kept = {"name": "kept", "created_at": NOW}
    await writes.insert(probe, kept)
    told: list[list[int]] = []
    async with write_transaction():
        first = [{"name": "first", "created_at": NOW}, {"name": "second", "created_at": NOW}]
        third = [{"name": "third", "created_at": NOW}]
        await writes.insert_later(probe, first)
        await writes.insert_later(probe, third, returned=lambda: told.append([third[0]["id"]]))
        for _ in range(2):
            await writes.update(probe, {"id": kept["id"]}, add={"count": 1}, later=True)
        assert len(await probe.select(probe.id)) == 1 and told == []  # not written yet
    rows = await probe.select(probe.id, probe.name, probe.count).order_by(probe.id)
    assert [(row["name"], row["count"]) for row in rows] == [
        ("kept", 2),
        ("first", 0),
        ("second", 0),
        ("third", 0),
    ]
    assert told == [[rows[3]["id"]]]
