"""The one write path: services hand rows (dicts keyed by column) to `insert`,
`insert_many`, `insert_later`, `update` and `replace`, which pick the live statement or the
batch by themselves.

Live requests run without a unit of work: each write runs when the service makes it,
except the rows nothing reads back within the change (`insert_later`, `update(later=
True)`), which go in together just before it commits. The
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
Both ways run the statements servicedesk.statements builds from the tables themselves: one
by one (prepared once per connection on PostgreSQL) in a live change, COPY or executemany
for a batch.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from servicedesk import statements
from servicedesk.db import Sql, chunks, fetch, get_engine, write_batched

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
        if isinstance(get_engine(), PostgresEngine):
            rows = await fetch(statements.next_ids(table), count)
            taken = [int(row["id"]) for row in rows]
        else:
            # Safe under SQLite's write lock, which the unit's transaction holds.
            rows = await fetch(statements.highest_id(table))
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
            await _execute_many(statements.update(table, set_columns=names, key=key), values)
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
    with discarded() as unit:
        yield unit
        await unit.flush()


@contextmanager
def discarded() -> Iterator[UnitOfWork]:
    """A unit of work the block's writes go to, never flushed by itself: the services'
    steps run on rows held in memory and write nothing (the dry run replays the SLA clock
    through them; unit_of_work flushes it). Reads still reach the database."""
    unit = UnitOfWork()
    token = _current.set(unit)
    try:
        yield unit
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


async def insert(table: type[Table], row: Row, *, need_id: bool = False) -> int:
    """Inserts a row: the columns it names, the others at their defaults (set in `row`).
    Returns its id, also set as row["id"].

    Without a unit of work (a live request) the table's INSERT statement (statements.py)
    runs now. Inside one (the importer) the row is written with the batch, and its id is 0
    (the database assigns one then) unless `need_id`: then it is taken from the table's
    sequence now, from the ids the caller reserved for the batch (UnitOfWork.reserve) or
    else one query."""
    statements.fill_defaults(table, row)
    unit = _current.get()
    if unit is None:
        inserted = await fetch(statements.insert(table), *statements.values(table, row))
        row["id"] = int(inserted[0]["id"])
        return int(row["id"])
    if need_id:
        if not unit.ids.get(table):
            await unit.reserve(table, 1)
        row["id"] = unit.ids[table].pop()
    unit.inserts.setdefault(table, []).append(row)
    unit.pending.add(id(row))
    return int(row.get("id", 0))


# Rows per INSERT of insert_many: bounded, as SQLite bounds a statement's parameters.
_ROWS_PER_INSERT = 100


async def insert_many(table: type[Table], rows: list[Row], *, need_id: bool = False) -> list[int]:
    """insert() for several rows, in one statement when there is no unit of work (in
    order: the ids returned are the rows' own, also set as row["id"])."""
    if _current.get() is not None:
        return [await insert(table, row, need_id=need_id) for row in rows]
    for part in chunks(rows, _ROWS_PER_INSERT):
        args = [
            value
            for row in part
            for value in statements.values(table, statements.fill_defaults(table, row))
        ]
        inserted = await fetch(statements.insert(table, rows=len(part)), *args)
        for row, new in zip(part, inserted, strict=True):
            row["id"] = int(new["id"])
    return [int(row["id"]) for row in rows]


async def update(
    table: type[Table],
    row: Row,
    values: Row | None = None,
    *,
    add: dict[str, int] | None = None,
    key: str = "id",
    when_null: str | None = None,
    later: bool = False,
) -> None:
    """Sets `values` and adds `add` to counters, in `row` and in the database; with
    `when_null`, only while that column is NULL. Without a unit of work the counters are
    added in SQL (`n = n + 1`), so concurrent requests on the same row do not lose an
    increment, and the caller may hold only the key of the row. `later`: the UPDATE goes
    with the change's later writes (insert_later), for a row nothing reads back within the
    change."""
    values, add = values or {}, add or {}
    if when_null is not None and row.get(when_null) is not None:
        return
    row.update(values)
    for name, step in add.items():
        if name in row:  # without a unit of work the caller may hold only the key
            row[name] += step
    unit = _current.get()
    if unit is None:
        if values or add:
            sql = statements.update(
                table,
                set_columns=tuple(values),
                add_columns=tuple(add),
                key=key,
                when_null=when_null,
            )
            args = (*values.values(), *add.values(), row[key])
            if later:
                await write_batched(_write_later, _Later(table, update=(sql, args)))
            else:
                await fetch(sql, *args)
    elif id(row) not in unit.pending:
        _, columns = unit.dirty.setdefault((table, key, row[key]), (row, set()))
        columns.update(values, add)


@dataclass
class _Later:
    """A write that waits for the end of the change (see insert_later)."""

    table: type[Table]
    rows: list[Row] = field(default_factory=list)  # an INSERT's rows
    update: tuple[Sql, tuple[Any, ...]] | None = None  # or an UPDATE and its arguments
    returned: list[Callable[[], None]] = field(default_factory=list)


async def insert_later(
    table: type[Table],
    rows: list[Row],
    *,
    returned: Callable[[], None] | None = None,
    need_id: bool = False,
) -> None:
    """Inserts rows that nothing reads back within the change (the audit trail, outbox
    events, a new customer's identities), just before the change commits and still in its
    transaction: on PostgreSQL the change's later writes go in one statement (data-modifying
    WITH clauses), a round trip for all of them. `returned()` runs once the rows have
    their ids (row["id"]). Inside a unit of work they go out with its batch, as with
    insert() (and have no id yet unless `need_id`; returned() runs at once)."""
    if _current.get() is not None:
        for row in rows:
            await insert(table, row, need_id=need_id)
        if returned is not None:
            returned()
        return
    if not rows:
        return
    for row in rows:
        statements.fill_defaults(table, row)
    later = _Later(table, rows=rows, returned=[returned] if returned else [])
    await write_batched(_write_later, later)


async def _write_later(writes: list[_Later]) -> None:
    """The change's later writes: each table's rows in one INSERT, then on PostgreSQL all
    in one statement, as WITH clauses around the last; the ids of a table whose caller
    asked for them come back from that last statement (one such table per statement)."""
    merged: list[_Later] = []
    inserts: dict[type[Table], _Later] = {}
    for write in writes:
        if write.update is not None:
            merged.append(write)
        elif write.table in inserts:
            inserts[write.table].rows.extend(write.rows)
            inserts[write.table].returned.extend(write.returned)
        else:
            inserts[write.table] = _Later(write.table, list(write.rows), None, list(write.returned))
            merged.append(inserts[write.table])
    # Those that want their ids last: the statement's own RETURNING answers them.
    merged.sort(key=lambda write: bool(write.returned))
    parts: list[tuple[Sql, tuple[Any, ...], _Later]] = []
    for write in merged:
        if write.update is not None:
            parts.append((*write.update, write))
        else:
            args = tuple(v for row in write.rows for v in statements.values(write.table, row))
            sql = statements.insert(
                write.table, rows=len(write.rows), returning=bool(write.returned)
            )
            parts.append((sql, args, write))
    if not isinstance(get_engine(), PostgresEngine):
        for sql, args, write in parts:
            _answer(write, await fetch(sql, *args))
        return
    # A statement ends where its writes want ids (its own RETURNING answers them), and
    # before a second UPDATE of a table (one statement's WITH clauses must not change a
    # row twice).
    group: list[tuple[Sql, tuple[Any, ...], _Later]] = []
    for part in parts:
        write = part[2]
        if write.update is not None and any(
            other.update is not None and other.table is write.table for _, _, other in group
        ):
            await _run_together(group)
            group = []
        group.append(part)
        if write.returned:
            await _run_together(group)
            group = []
    await _run_together(group)


async def _run_together(parts: list[tuple[Sql, tuple[Any, ...], _Later]]) -> None:
    if not parts:
        return
    key = tuple(sql.template for sql, _, _ in parts)
    combined = _COMBINED.get(key)
    if combined is None:
        clauses = ", ".join(f"w{n} AS ({text})" for n, text in enumerate(key[:-1]))
        combined = _COMBINED[key] = Sql(f"WITH {clauses} {key[-1]}" if clauses else key[-1])
    rows = await fetch(combined, *[arg for _, args, _ in parts for arg in args])
    _answer(parts[-1][2], rows)


_COMBINED: dict[tuple[str, ...], Sql] = {}


def _answer(write: _Later, rows: list[Row]) -> None:
    if write.returned:
        for row, new in zip(write.rows, rows, strict=True):
            row["id"] = int(new["id"])
        for returned in write.returned:
            returned()


async def replace(table: type[Table], key: str, value: Any, rows: list[Row]) -> None:
    """Replaces every row of `table` whose `key` is `value` by `rows`."""
    unit = _current.get()
    if unit is None:
        await fetch(statements.delete(table, key=key), value)
        await insert_many(table, rows)
    else:
        unit.replaced[(table, key, value)] = rows


# Rows a batched delete reads and deletes at a time.
DELETE_BATCH = 5000


async def delete_old(
    table: type[Table],
    *where: Any,
    keep: Callable[[list[Row]], Awaitable[set[int]]] | None = None,
    columns: tuple[Any, ...] = (),
) -> int:
    """Deletes the rows of `table` matching `where`, in id order, DELETE_BATCH at a time,
    each batch its own short statements (a retention prune beside a running worker: one
    long DELETE would hold the rows and locks its claims need). `keep(rows)`, given each
    batch's rows (id and `columns`), names the ids to leave. Returns how many went."""
    deleted, after = 0, 0
    while rows := (
        await table.select(table._meta.primary_key, *columns)
        .where(*where, table._meta.primary_key > after)
        .order_by(table._meta.primary_key)
        .limit(DELETE_BATCH)
    ):
        after = int(rows[-1]["id"])
        kept = await keep(rows) if keep is not None else set()
        gone = [int(row["id"]) for row in rows if int(row["id"]) not in kept]
        for part in chunks(gone):
            await table.delete().where(table._meta.primary_key.is_in(list(part)))
        deleted += len(gone)
    return deleted


async def update_many(
    table: type[Table], key: str, column: str, pairs: list[tuple[Any, Any]]
) -> None:
    """Sets `column` to each pair's first item where `key` is its second, in one statement."""
    if pairs:
        await _execute_many(statements.update(table, set_columns=(column,), key=key), pairs)


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


async def _execute_many(sql: Sql, values: list[tuple[Any, ...]]) -> None:
    """One statement, many parameter sets."""
    if isinstance(get_engine(), PostgresEngine):
        await _connection().executemany(sql.postgres, values)
    else:
        await _connection().executemany(sql.sqlite, values)


async def _insert_many(table: type[Table], rows: list[Row]) -> None:
    """The rows of one table in one COPY (PostgreSQL) or one executemany (SQLite): those
    with an id taken ahead, and those without."""
    for with_id in (True, False):
        values = [
            statements.values(table, statements.fill_defaults(table, row), with_id=with_id)
            for row in rows
            if ("id" in row) == with_id
        ]
        if not values:
            continue
        if isinstance(get_engine(), PostgresEngine):
            names = (["id"] if with_id else []) + list(statements.columns(table))
            await _connection().copy_records_to_table(
                table._meta.tablename, records=values, columns=names
            )
        else:
            await _execute_many(statements.insert(table, returning=False, with_id=with_id), values)


# ---------------------------------------------------------------- many rows, one statement


async def insert_rows(
    table: type[Table],
    rows: list[Row],
    *,
    returning: tuple[str, ...] = ("id",),
    skip_conflicts_on: str | None = None,
) -> list[Row]:
    """Inserts `rows` (any columns; the others get their defaults) in one statement built
    from the table's columns (statements.insert, once per row count); returns `returning`
    of the rows inserted, in order. With `skip_conflicts_on` (a unique column), rows whose
    value is already there are left out (ON CONFLICT DO NOTHING) and not returned.

    For bulk writes on a live path (a campaign's 500 recipients and emails at a time):
    Piccolo's query builder spent most of the time building such an INSERT."""
    if not rows:
        return []
    sql = statements.insert(
        table, rows=len(rows), returning=returning, skip_conflicts_on=skip_conflicts_on
    )
    values = [
        value
        for row in rows
        for value in statements.values(table, statements.fill_defaults(table, row))
    ]
    return await fetch(sql, *values)
