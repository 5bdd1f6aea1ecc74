"""A unit of work for the ticket services: rows read once, writes collected and written
together.

Live requests run without one: each service reads and writes as it goes, as before. The
importer opens one per batch (`unit_of_work()`, inside its transaction). Then:

- the rows the services read (ticket, facts, tags, agents) are kept in an identity map,
  so replaying many events of one ticket reads each row once (`get`, `remember`);
- the rows they insert are written at the end of the batch with one statement per table
  (COPY on PostgreSQL, executemany on SQLite), and a row inserted in the batch and changed
  later in it is simply inserted with its final values (`insert`);
- the rows they change are written once, with their final values (`update`);
- set-based steps that must see the whole batch (repeat contacts) run once at the end
  (`defer`).

The rules are the same code in both cases; only when the rows reach the database differs.
Where the live path inserts with fixed SQL text instead (the contact path), `insert_row`
takes both the row for the batch and that statement.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from servicedesk.db import Sql, fetch, get_engine

Row = dict[str, Any]


@dataclass
class UnitOfWork:
    inserts: dict[type[Table], list[Row]] = field(default_factory=dict)
    # id() of the rows waiting in `inserts`: changing one of them needs no UPDATE.
    pending: set[int] = field(default_factory=set)
    # (table, key column, key value) -> (row, changed columns)
    dirty: dict[tuple[type[Table], str, Any], tuple[Row, set[str]]] = field(default_factory=dict)
    # (table, key column, key value) -> the rows that replace all rows with that key
    replaced: dict[tuple[type[Table], str, Any], list[Row]] = field(default_factory=dict)
    rows: dict[tuple[Hashable, Any], Any] = field(default_factory=dict)
    deferred: dict[Callable[[set[Any]], Awaitable[None]], set[Any]] = field(default_factory=dict)
    # Ids taken from the table's sequence for rows whose id is needed before the flush.
    ids: dict[type[Table], list[int]] = field(default_factory=dict)
    last_id: dict[type[Table], int] = field(default_factory=dict)  # SQLite: highest taken

    async def reserve(self, table: type[Table], count: int) -> None:
        """Takes `count` ids of `table` now, in one query (see insert's need_id)."""
        if count <= 0:
            return
        name = table._meta.tablename
        if isinstance(get_engine(), PostgresEngine):
            rows = await table.raw(
                f"SELECT nextval(pg_get_serial_sequence('{name}', 'id')) AS id"
                " FROM generate_series(1, {})",
                count,
            )
            taken = [int(row["id"]) for row in rows]
        else:
            # Safe under SQLite's write lock, which the unit's transaction holds.
            rows = await table.raw(f'SELECT COALESCE(MAX("id"), 0) AS id FROM "{name}"')
            first = max(int(rows[0]["id"]), self.last_id.get(table, 0)) + 1
            taken = list(range(first, first + count))
            self.last_id[table] = taken[-1]
        self.ids.setdefault(table, []).extend(reversed(taken))

    async def flush(self) -> None:
        """Writes everything collected, in foreign-key order, then the deferred steps."""
        # The rows replaced, deleted in one statement per table and key column (a batch
        # replaces the tags of hundreds of tickets; a DELETE each cost ~8 % of an import).
        replaced: dict[tuple[type[Table], str], list[Any]] = {}
        for (table, key, value), rows in self.replaced.items():
            replaced.setdefault((table, key), []).append(value)
            self.inserts.setdefault(table, []).extend(rows)
        for (table, key), values in replaced.items():
            await table.delete().where(getattr(table, key).is_in(values))
        for table in _referenced_first(list(self.inserts)):
            await _insert_many(table, self.inserts[table])
        groups: dict[tuple[type[Table], str, tuple[str, ...]], list[tuple[Any, ...]]] = {}
        for (table, key, value), (row, columns) in self.dirty.items():
            names = tuple(sorted(columns))
            groups.setdefault((table, key, names), []).append(
                (*(row[name] for name in names), value)
            )
        for (table, key, names), values in groups.items():
            assignments = ", ".join(f'"{name}" = ?' for name in names)
            await _execute_many(
                f'UPDATE "{table._meta.tablename}" SET {assignments} WHERE "{key}" = ?', values
            )
        deferred, self.deferred = self.deferred, {}
        for step, items in deferred.items():
            await step(items)
        # Empty again, so the unit can go on (the identity map stays: it holds what was
        # written). Rows written without their id must not be changed after this.
        self.inserts, self.pending, self.dirty, self.replaced = {}, set(), {}, {}


_current: contextvars.ContextVar[UnitOfWork | None] = contextvars.ContextVar(
    "unit_of_work", default=None
)


def current() -> UnitOfWork | None:
    return _current.get()


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[UnitOfWork]:
    """Collects the services' writes until the block ends, then flushes them. Must run
    inside a transaction (the flush uses its connection); nothing is written on error."""
    assert get_engine().transaction_exists(), "a unit of work runs inside a transaction"
    unit = UnitOfWork()
    token = _current.set(unit)
    try:
        yield unit
        await unit.flush()
    finally:
        _current.reset(token)


async def get(kind: Hashable, key: Any, load: Callable[[], Awaitable[Any]]) -> Any:
    """`load()`, or the row the unit of work already holds for (kind, key)."""
    unit = _current.get()
    if unit is None:
        return await load()
    if (kind, key) not in unit.rows:
        unit.rows[(kind, key)] = await load()
    return unit.rows[(kind, key)]


async def flush() -> None:
    """Writes what the current unit of work holds now (for a step that reads the database)."""
    unit = _current.get()
    if unit is not None:
        await unit.flush()


def remember(kind: Hashable, key: Any, row: Any) -> None:
    """Puts a row the caller already has into the identity map (no-op without a unit)."""
    unit = _current.get()
    if unit is not None:
        unit.rows[(kind, key)] = row


def new_row(table: type[Table], values: Row) -> Row:
    """A row of `table` (without id) with the columns' defaults, then `values`."""
    defaults = _DEFAULTS.get(table)
    if defaults is None:
        defaults = _DEFAULTS[table] = {
            column._meta.name: column.get_default_value() for column in table._meta.columns[1:]
        }
    row = {name: list(v) if isinstance(v, list) else v for name, v in defaults.items()}
    row.update(values)
    return row


_DEFAULTS: dict[type[Table], Row] = {}


async def insert(table: type[Table], row: Row, *, need_id: bool = False) -> int:
    """Inserts a row (all columns but `id`). Returns its id, also set as row["id"].

    Inside a unit of work the row is written with the batch, and its id is 0 (the database
    assigns one then) unless `need_id`: then it is taken from the table's sequence now,
    from the ids the caller reserved for the batch (UnitOfWork.reserve) or else one query."""
    unit = _current.get()
    if unit is None:
        inserted = await table.insert(table(**row)).returning(table._meta.primary_key)
        row["id"] = int(inserted[0]["id"])
        return int(row["id"])
    if need_id:
        if not unit.ids.get(table):
            await unit.reserve(table, 1)
        row["id"] = unit.ids[table].pop()
    unit.inserts.setdefault(table, []).append(row)
    unit.pending.add(id(row))
    return int(row.get("id", 0))


async def insert_row(
    table: type[Table], row: Row, sql: Sql, *args: Any, need_id: bool = False
) -> int:
    """Inserts `row` into `table`, in one of two ways; returns its id (also set as
    row["id"]), or 0 where the batch has none yet or `sql` does not return it.

    Inside a unit of work (the importer) the row goes out with the batch, as with insert().
    Without one (a live request) `sql` runs now with `args`: the same INSERT as fixed SQL
    text (db.Sql), which PostgreSQL prepares once per connection. The live contact path
    runs several of these per request, and building each with Piccolo's query builder cost
    it about half its CPU. `sql` ends in RETURNING "id" where the caller needs the id."""
    if _current.get() is not None:
        return await insert(table, row, need_id=need_id)
    inserted = await fetch(sql, *args)
    if not inserted:
        return 0
    row["id"] = new_id = int(inserted[0]["id"])
    return new_id


async def insert_many(table: type[Table], rows: list[Row], *, need_id: bool = False) -> None:
    """insert() for several rows; without a unit of work in one statement."""
    if _current.get() is not None:
        for row in rows:
            await insert(table, row, need_id=need_id)
    elif rows:
        inserted = await table.insert(*[table(**row) for row in rows]).returning(
            table._meta.primary_key
        )
        for row, new in zip(rows, inserted, strict=True):
            row["id"] = int(new["id"])


async def update(
    table: type[Table],
    row: Row,
    values: Row | None = None,
    *,
    add: dict[str, int] | None = None,
    key: str = "id",
) -> None:
    """Sets `values` and adds `add` to counters, in `row` and in the database. Without a
    unit of work the counters are added in SQL (`n = n + 1`), so concurrent requests on
    the same row do not lose an increment."""
    values, add = values or {}, add or {}
    row.update(values)
    for name, step in add.items():
        if name in row:  # without a unit of work the caller may hold only the key
            row[name] += step
    unit = _current.get()
    if unit is None:
        changes: dict[Any, Any] = {getattr(table, name): value for name, value in values.items()}
        for name, step in add.items():
            changes[getattr(table, name)] = getattr(table, name) + step
        if changes:
            await table.update(changes).where(getattr(table, key) == row[key])
    elif id(row) not in unit.pending:
        _, columns = unit.dirty.setdefault((table, key, row[key]), (row, set()))
        columns.update(values, add)


async def replace(table: type[Table], key: str, value: Any, rows: list[Row]) -> None:
    """Replaces every row of `table` whose `key` is `value` by `rows`."""
    unit = _current.get()
    if unit is None:
        await table.delete().where(getattr(table, key) == value)
        if rows:
            await table.insert(*[table(**row) for row in rows])
    else:
        unit.replaced[(table, key, value)] = rows


async def update_many(
    table: type[Table], key: str, column: str, pairs: list[tuple[Any, Any]]
) -> None:
    """Sets `column` to each pair's first item where `key` is its second, in one statement."""
    if pairs:
        await _execute_many(
            f'UPDATE "{table._meta.tablename}" SET "{column}" = ? WHERE "{key}" = ?', pairs
        )


def defer(step: Callable[[set[Any]], Awaitable[None]], item: Any) -> bool:
    """Inside a unit of work, runs `step({items...})` once when it is written and returns
    True; without one returns False (the caller does the work now)."""
    unit = _current.get()
    if unit is None:
        return False
    unit.deferred.setdefault(step, set()).add(item)
    return True


# ---------------------------------------------------------------- the driver's bulk calls


def _referenced_first(tables: list[type[Table]]) -> list[type[Table]]:
    """`tables` ordered so that a table comes after those its foreign keys point to."""
    ordered: list[type[Table]] = []

    def visit(table: type[Table]) -> None:
        if table in ordered:
            return
        for column in table._meta.foreign_key_columns:
            target = column._foreign_key_meta.resolved_references
            if target is not table and target in tables:
                visit(target)
        ordered.append(table)

    for table in tables:
        visit(table)
    return ordered


def _connection() -> Any:
    engine = get_engine()
    transaction = engine.current_transaction.get()
    assert transaction is not None, "bulk writes run inside the unit's transaction"
    return transaction.connection


async def _execute_many(sql: str, values: list[tuple[Any, ...]]) -> None:
    """One statement, many parameter sets (`?` placeholders, as SQLite writes them)."""
    if isinstance(get_engine(), PostgresEngine):
        parts = sql.split("?")
        sql = "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], start=1)) + parts[-1]
    await _connection().executemany(sql, values)


async def _insert_many(table: type[Table], rows: list[Row]) -> None:
    """The rows of one table in one COPY (PostgreSQL) or one executemany (SQLite)."""
    by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        names = tuple(row)
        by_columns.setdefault(names, []).append(tuple(row.values()))
    name = table._meta.tablename
    for names, values in by_columns.items():
        if isinstance(get_engine(), PostgresEngine):
            await _connection().copy_records_to_table(name, records=values, columns=list(names))
        else:
            columns = ", ".join(f'"{column}"' for column in names)
            marks = ", ".join("?" for _ in names)
            await _execute_many(f'INSERT INTO "{name}" ({columns}) VALUES ({marks})', values)


# ---------------------------------------------------------------- many rows, one statement

_insert_rows_sql: dict[tuple[Any, ...], Sql] = {}


def _insert_rows_statement(
    table: type[Table],
    names: tuple[str, ...],
    count: int,
    conflict: str | None,
    returning: tuple[str, ...],
) -> Sql:
    key = (table, names, count, conflict, returning)
    if key not in _insert_rows_sql:
        row = "(" + ", ".join(["{}"] * len(names)) + ")"
        columns = ", ".join(f'"{name}"' for name in names)
        on_conflict = f' ON CONFLICT ("{conflict}") DO NOTHING' if conflict else ""
        back = ", ".join(f'"{name}"' for name in returning)
        _insert_rows_sql[key] = Sql(
            f'INSERT INTO "{table._meta.tablename}" ({columns}) VALUES '
            + ", ".join([row] * count)
            + f"{on_conflict} RETURNING {back}"
        )
    return _insert_rows_sql[key]


async def insert_rows(
    table: type[Table],
    rows: list[Row],
    *,
    returning: tuple[str, ...] = ("id",),
    skip_conflicts_on: str | None = None,
) -> list[Row]:
    """Inserts `rows` (new_row() dicts: every column but id) in one statement whose text
    comes from the table's columns and is built once per row count; returns `returning`
    of the rows inserted, in order. With `skip_conflicts_on` (a unique column), rows whose
    value is already there are left out (ON CONFLICT DO NOTHING) and not returned.

    For bulk writes on a live path (a campaign's 500 recipients and emails at a time):
    Piccolo's query builder spent most of the time building such an INSERT."""
    if not rows:
        return []
    names = tuple(rows[0])
    sql = _insert_rows_statement(table, names, len(rows), skip_conflicts_on, returning)
    values = [row[name] for row in rows for name in names]
    return await fetch(sql, *values)
