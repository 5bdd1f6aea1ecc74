"""The INSERT and UPDATE statements of every table, built from the Piccolo table itself.

A table's columns are written once, in its Piccolo class; the statements that write its
rows are made here from `Table._meta.columns`, once per table and shape (number of rows,
columns set), and kept. So adding a column means editing the table class and adding a
migration, nothing else: the next INSERT names it, with its default unless a service sets
it. servicedesk.writes runs these; tests/servicedesk/test_statements.py checks them
against every table of the apps.

The statements are db.Sql: Piccolo's `{}` placeholders, turned into `$1, $2, ...` for
PostgreSQL (where asyncpg prepares each text once per connection) and `?` for SQLite.
"""

from __future__ import annotations

import functools
from typing import Any

from piccolo.columns.defaults.base import Default
from piccolo.table import Table

from servicedesk.db import IdsSql, Sql

Row = dict[str, Any]


def _quoted(name: str) -> str:
    return f'"{name}"'


@functools.cache
def columns(table: type[Table]) -> tuple[str, ...]:
    """The table's columns but its primary key, in the class's order: what an INSERT sets."""
    key = table._meta.primary_key._meta.db_column_name
    return tuple(
        column._meta.db_column_name
        for column in table._meta.columns
        if column._meta.db_column_name != key
    )


@functools.cache
def _defaults(table: type[Table]) -> tuple[tuple[str, Any, bool], ...]:
    """(column, default, whether the default is computed per row, such as TimestamptzNow)."""
    found = []
    for column in table._meta.columns:
        if column is table._meta.primary_key:
            continue
        default = column.get_default_value()
        found.append((column._meta.db_column_name, default, isinstance(default, Default)))
    return tuple(found)


def fill_defaults(table: type[Table], row: Row) -> Row:
    """Sets the columns `row` does not name to their defaults, in place; returns `row`.
    Lists (JSON defaults given as Python values) are copied, never shared between rows."""
    for name, default, computed in _defaults(table):
        if name not in row:
            if computed:
                row[name] = default.python()
            else:
                row[name] = list(default) if isinstance(default, list) else default
    return row


def values(table: type[Table], row: Row, *, with_id: bool = False) -> tuple[Any, ...]:
    """The row's values in the order of insert()'s columns (fill_defaults first)."""
    names = columns(table)
    if with_id:
        return (row["id"], *(row[name] for name in names))
    return tuple(row[name] for name in names)


@functools.cache
def insert(
    table: type[Table],
    *,
    rows: int = 1,
    returning: bool | tuple[str, ...] = True,
    with_id: bool = False,
    skip_conflicts_on: str | None = None,
) -> Sql:
    """INSERT of `rows` rows with every column (and the id when `with_id`, for ids taken
    ahead from the table's sequence), returning the new ids in order when `returning` is
    True (or the columns it names). With `skip_conflicts_on` (a unique column), a row
    whose value is already there is left out (ON CONFLICT DO NOTHING) and not returned."""
    names = (("id",) if with_id else ()) + columns(table)
    marks = "(" + ", ".join(["{}"] * len(names)) + ")"
    text = (
        f"INSERT INTO {_quoted(table._meta.tablename)} ({', '.join(map(_quoted, names))})"
        f" VALUES {', '.join([marks] * rows)}"
    )
    if skip_conflicts_on:
        text += f" ON CONFLICT ({_quoted(skip_conflicts_on)}) DO NOTHING"
    back = ("id",) if returning is True else returning or ()
    if back:
        text += " RETURNING " + ", ".join(map(_quoted, back))
    return Sql(text)


@functools.cache
def update(
    table: type[Table],
    *,
    set_columns: tuple[str, ...],
    add_columns: tuple[str, ...] = (),
    key: str = "id",
    when_null: str | None = None,
) -> Sql:
    """UPDATE setting `set_columns` and adding to `add_columns` (`n = n + {}`: concurrent
    changes of one row lose no increment) where `key` equals the last parameter, and, with
    `when_null`, only while that column is NULL."""
    text = _update_set(table, set_columns, add_columns, (key,)) + f" WHERE {_quoted(key)} = {{}}"
    if when_null:
        text += f" AND {_quoted(when_null)} IS NULL"
    return Sql(text)


@functools.cache
def update_listed(
    table: type[Table],
    *,
    set_columns: tuple[str, ...],
    add_columns: tuple[str, ...] = (),
    conditions: tuple[tuple[str, str], ...] = (),
    returning: bool = False,
) -> IdsSql:
    """UPDATE as update() of the rows whose id is in a list (one parameter for any number
    of ids, see db.IdsSql) and that meet `conditions`, (column, operator) pairs such as
    ("status", "="); with `returning`, RETURNING the rows. Parameters: the set values, the
    added values, the ids, then the conditions' values."""
    tested = tuple(name for name, _ in conditions)
    assert all(op in ("=", "<=", "<", ">=", ">", "!=") for _, op in conditions), conditions
    text = _update_set(table, set_columns, add_columns, tested) + ' WHERE "id" {ids}'
    text += "".join(f" AND {_quoted(name)} {op} {{}}" for name, op in conditions)
    if returning:
        text += " RETURNING *"
    return IdsSql(text)


def _update_set(
    table: type[Table],
    set_columns: tuple[str, ...],
    add_columns: tuple[str, ...],
    tested: tuple[str, ...],
) -> str:
    """`UPDATE table SET ...` of an update statement, its columns checked against the table."""
    known = set(columns(table)) | {"id"}
    unknown = [name for name in (*set_columns, *add_columns, *tested) if name not in known]
    assert not unknown, f"{table._meta.tablename} has no column {unknown}"
    assignments = [f"{_quoted(name)} = {{}}" for name in set_columns]
    assignments += [f"{_quoted(name)} = {_quoted(name)} + {{}}" for name in add_columns]
    return f"UPDATE {_quoted(table._meta.tablename)} SET {', '.join(assignments)}"


@functools.cache
def delete(table: type[Table], *, key: str) -> Sql:
    """DELETE of the rows whose `key` equals the parameter."""
    assert key in columns(table) or key == "id", f"{table._meta.tablename} has no column {key}"
    return Sql(f"DELETE FROM {_quoted(table._meta.tablename)} WHERE {_quoted(key)} = {{}}")


@functools.cache
def next_ids(table: type[Table]) -> Sql:
    """PostgreSQL: the next {} ids of the table's sequence."""
    name = table._meta.tablename
    return Sql.text(
        f"SELECT nextval(pg_get_serial_sequence('{name}', 'id')) AS id FROM generate_series(1, $1)"
    )


@functools.cache
def highest_id(table: type[Table]) -> Sql:
    """The highest id the table holds (0 when empty)."""
    return Sql(f'SELECT COALESCE(MAX("id"), 0) AS id FROM {_quoted(table._meta.tablename)}')
