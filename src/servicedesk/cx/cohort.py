"""The cohort of a report period, read from ticket_metrics on both engines: per group its
counts and its sorted durations (Figures), in one aggregate query per slice of the period,
and the period's volume. cx/reports.py shapes these into the report's rows.

The cohort of [from, to) is the tickets whose status is solved or closed and whose last
solve falls in the period; every figure of a row describes the same tickets."""

from __future__ import annotations

import asyncio
import math
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from servicedesk.db import get_engine, is_sqlite
from servicedesk.sla.clock import TARGETS as SLA_TARGETS

from .tables import TicketMetrics

FCR_CONDITION = (
    "m.agent_public_replies >= 1 AND m.reopens = 0 AND m.inbound_before_first_solve = 1"
    " AND m.replies_before_first_solve <= 1 AND m.repeat_contact_ticket IS NULL"
)


def percentile(ordered: NDArray[np.float64], q: float) -> float | None:
    """Linear interpolation between closest ranks of sorted values, as PostgreSQL's
    percentile_cont."""
    if not len(ordered):
        return None
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def _period_expression(unit: str) -> str:
    if is_sqlite():
        return {
            "day": "strftime('%Y-%m-%d', m.last_solved_at)",
            "week": "strftime('%Y-%m-%d', m.last_solved_at, 'weekday 0', '-6 days')",
            "month": "strftime('%Y-%m', m.last_solved_at)",
        }[unit]
    return {
        "day": "to_char(m.last_solved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        "week": "to_char(date_trunc('week', m.last_solved_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')",
        "month": "to_char(m.last_solved_at AT TIME ZONE 'UTC', 'YYYY-MM')",
    }[unit]


def _group_expression(group: str) -> str:
    return {
        "agent": "a.email",
        "channel": "m.channel",
        "team": "t.name",
    }.get(group) or _period_expression(group)


def cohort_sql(filters: dict[str, str | None]) -> tuple[str, list[Any]]:
    where = ["m.status IN ('solved', 'closed')", "m.last_solved_at >= {}", "m.last_solved_at < {}"]
    args: list[Any] = []
    for group in ("agent", "channel", "team"):
        if filters.get(group) is not None:
            where.append(f"{_group_expression(group)} = {{}}")
            args.append(filters[group])
    sql = (
        " FROM ticket_metrics m LEFT JOIN agent a ON a.id = m.agent"
        " LEFT JOIN team t ON t.id = m.team WHERE " + " AND ".join(where)
    )
    return sql, args


# Group dimensions kept as an id in ticket_metrics: (id column, table, unique name column).
NAMED_BY_ID = {"agent": ("m.agent", "agent", "email"), "team": ("m.team", "team", "name")}


# The durations whose median and 90th percentile a row shows (means alone hide the long tail).
# Each also in business hours (the team's schedule, cx/business_hours.py): the lists ride
# in the same aggregate query, so the business figures cost no second pass over the cohort.
DURATIONS = {
    "resolution": "m.full_resolution_minutes",
    "first_response": "m.first_response_minutes",
    "resolution_business": "m.full_resolution_business_minutes",
    "first_response_business": "m.first_response_business_minutes",
}
QUANTILES = (0.5, 0.9)
# The tickets a row counts besides all of them (`solved`): name -> condition, in SQL.
CONDITIONS = {
    "eligible": "m.agent_public_replies >= 1",
    "fcr": FCR_CONDITION,
    "responses": "m.rating IS NOT NULL",
    "satisfied": "m.rating >= 4",
    "reopened": "m.reopens > 0",
}
# SLA achievement (servicedesk/sla): per target, how often it was met and missed; counts
# per ticket (next reply: once per reply cycle), summed.
SLA_SUMS = tuple(f"sla_{t}_{outcome}" for t in SLA_TARGETS for outcome in ("met", "missed"))
# The integer sums by name (`surveys_sent` is a count per ticket, the others are tickets).
COUNTS = ("solved", *CONDITIONS, "surveys_sent", *SLA_SUMS)
# Per duration name, its (median, p90); None where the group has no value.
Quantiles = dict[str, tuple[float | None, float | None]]


def one_connection() -> bool:
    """Inside a transaction every query runs on its connection, which runs one at a time."""
    return get_engine().transaction_exists()


# The cohort is read in this many slices of the period at once, each on a connection of its
# own: neither engine spreads this query over several cores by itself (SQLite never does;
# PostgreSQL 15 does not for array_agg), and at a million tickets two slices on two cores
# take 50-70 % of the time of one.
SLICES = min(4, os.cpu_count() or 1)


def _slices(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) cut into SLICES equal half-open periods (one inside a transaction)."""
    count = 1 if one_connection() else SLICES
    bounds = [start + (end - start) * i / count for i in range(count)] + [end]
    return list(zip(bounds, bounds[1:], strict=False))


@dataclass
class Figures:
    """What one report row is made of: the sums over its tickets (COUNTS by name,
    `resolution_minutes` and `resolution_business_minutes` with the `..._count` of tickets
    each sums, and the group's values by dimension name) and its quantiles."""

    values: dict[str, Any]
    quantiles: Quantiles


def _sort_rows(groups: list[Figures], group_by: list[str]) -> list[Figures]:
    """Rows by their group values, empty values (no agent, no team) last, on both engines."""
    return sorted(
        groups, key=lambda f: [(f.values[g] is None, f.values[g] or "") for g in group_by]
    )


async def cohort_figures(
    group_by: list[str], start: datetime, end: datetime, filters: dict[str, str | None]
) -> tuple[list[Figures], Figures]:
    """One aggregate query over the cohort, on both engines: per group its counts, and its
    durations as one list each (the query hashes or sorts the cohort once, by group).
    NumPy sorts each group's durations for the medians and p90s, and the totals are added up
    from the groups. Percentiles in SQL would sort every group again per duration, and the
    whole cohort again for the totals (PostgreSQL's percentile_cont: 0.85 s of a 1.6 s
    report at a million tickets); SQLite has none. Agents and teams are grouped by id (no
    join, no text per row) and named once at the end. The query runs once per slice of
    the period (_slices), and a group's slices are added up like the groups' totals."""
    from_sql, filter_args = cohort_sql(filters)
    keys = [_group_key(g) for g in group_by]
    columns = [f"{key} AS group_{i}" for i, key in enumerate(keys)]
    columns.append("COUNT(*) AS solved")
    columns += [
        f"SUM(CASE WHEN {sql} THEN 1 ELSE 0 END) AS {name}" for name, sql in CONDITIONS.items()
    ]
    columns.append("SUM(m.surveys_sent) AS surveys_sent")
    columns += [f"SUM(m.{name}) AS {name}" for name in SLA_SUMS]
    columns += [f"{_list_of(column)} AS {name}" for name, column in DURATIONS.items()]
    grouping = f" GROUP BY {', '.join(keys)}" if keys else ""
    sql = f"SELECT {', '.join(columns)}{from_sql}{grouping}"
    queries = [TicketMetrics.raw(sql, *period, *filter_args) for period in _slices(start, end)]
    found = [await q for q in queries] if one_connection() else await asyncio.gather(*queries)
    # Group values -> (COUNTS by name, per duration the lists of its slices)
    merged: dict[tuple[Any, ...], tuple[dict[str, int], dict[str, list[NDArray[np.float64]]]]]
    merged = {}
    for values in (row for rows in found for row in rows):
        if not values["solved"]:
            continue  # the one row of an aggregate without GROUP BY over no tickets
        key = tuple(values[f"group_{i}"] for i in range(len(group_by)))
        counts, durations = merged.setdefault(
            key, (dict.fromkeys(COUNTS, 0), {name: [] for name in DURATIONS})
        )
        for name in COUNTS:
            counts[name] += int(values[name] or 0)
        for name in DURATIONS:
            durations[name].append(_minutes(values[name]))
    names = [await _names(g) if g in NAMED_BY_ID else None for g in group_by]
    groups = [
        (
            {
                g: value if by_id is None else by_id.get(value)
                for g, value, by_id in zip(group_by, key, names, strict=True)
            },
            counts,
            {name: np.sort(np.concatenate(lists)) for name, lists in durations.items()},
        )
        for key, (counts, durations) in merged.items()
    ]
    total_counts = {name: sum(counts[name] for _, counts, _ in groups) for name in COUNTS}
    total_durations = {
        name: np.sort(np.concatenate([durations[name] for _, _, durations in groups] or [_NONE]))
        for name in DURATIONS
    }
    per_group = [_figures_of(group, counts, durations) for group, counts, durations in groups]
    return _sort_rows(per_group, group_by), _figures_of({}, total_counts, total_durations)


def _figures_of(
    group: dict[str, Any], counts: dict[str, int], durations: dict[str, NDArray[np.float64]]
) -> Figures:
    """A row's figures from its counts and its sorted durations (minutes)."""
    return Figures(
        values={
            **group,
            **counts,
            # Correctly rounded, so the same tickets give the same mean in any order.
            **{
                f"{name}_minutes": math.fsum(durations[name].tolist())
                for name in ("resolution", "resolution_business")
            },
            **{
                f"{name}_count": len(durations[name])
                for name in ("resolution", "resolution_business")
            },
        },
        quantiles={
            name: (percentile(values, QUANTILES[0]), percentile(values, QUANTILES[1]))
            for name, values in durations.items()
        },
    )


_NONE: NDArray[np.float64] = np.empty(0)
# A duration in minutes is (end - start).total_seconds() / 60 of two timestamps kept to the
# microsecond (cx/facts.py), so it is a whole number of microseconds. A business duration
# is a sum of such spans worked out on float timestamps, so it is one to within a rounding
# error far below the 4 decimals of hours a report prints.
MICROSECONDS_PER_MINUTE = 60_000_000


def _list_of(column: str) -> str:
    """An aggregate giving a group's values of a duration column, without NULLs."""
    if is_sqlite():
        # group_concat would print a REAL with 15 digits, which does not give the same
        # double back; whole microseconds print exactly (_minutes rebuilds them).
        return f"group_concat(CAST(round({column} * {MICROSECONDS_PER_MINUTE}) AS INTEGER))"
    # The array in PostgreSQL's binary format: NumPy reads it as it is, where the driver
    # would make a Python float per value (a tenth of the report at a million tickets).
    return f"array_send(array_agg({column}) FILTER (WHERE {column} IS NOT NULL))"


# A float8[] element in array_send's format: its length (always 8 here), then the value.
_ARRAY_ELEMENT = np.dtype([("length", ">i4"), ("value", ">f8")])


def _minutes(values: str | bytes | None) -> NDArray[np.float64]:
    """A group's durations from what _list_of gives: a one-dimensional float8[] from
    PostgreSQL (a header of 12 bytes and 8 per dimension, then the elements), or SQLite's
    text of microseconds, turned back into the very doubles the facts hold (an integer
    over 10**6, then over 60, each division rounded once, as timedelta.total_seconds() / 60
    is)."""
    if values is None:
        return _NONE
    if isinstance(values, str):
        return np.fromstring(values, dtype=np.int64, sep=",") / 1_000_000 / 60
    return np.frombuffer(values, dtype=_ARRAY_ELEMENT, offset=12 + 8)["value"].astype(np.float64)


def _group_key(group: str) -> str:
    """What the cohort is grouped on: the id for agents and teams, else the group's value."""
    return NAMED_BY_ID[group][0] if group in NAMED_BY_ID else _group_expression(group)


async def _names(group: str) -> dict[int, str]:
    _, table, column = NAMED_BY_ID[group]
    rows = await TicketMetrics.raw(f"SELECT id, {column} AS name FROM {table}")
    return {row["id"]: row["name"] for row in rows}


async def cohort_volume(
    start: datetime, end: datetime, filters: dict[str, str | None]
) -> dict[str, int]:
    """Tickets opened in the period, and the backlog at its end: opened before `to` and
    not solved by then (a ticket reopened after its last solve before `to` counts as
    solved; the facts keep the last solve, not every status change)."""
    channel = filters.get("channel")
    where, args = ("", []) if channel is None else (" AND m.channel = {}", [channel])
    if is_sqlite():
        # SQLite would fetch every row opened before `to` from the table (0.8 s at a million
        # tickets); as (opened before `to`) - (opened and solved before `to`) each count is
        # read from an index alone (created_at; the report's covering index): 0.1 s.
        count = "SELECT COUNT(*) FROM ticket_metrics m WHERE "
        rows = await TicketMetrics.raw(
            f"SELECT ({count}m.created_at >= {{}} AND m.created_at < {{}}{where}) AS created,"
            f" ({count}m.created_at < {{}}{where}) - ({count}m.status IN ('solved', 'closed')"
            f" AND m.last_solved_at < {{}} AND m.created_at < {{}}{where}) AS backlog",
            *[start, end, *args],
            *[end, *args],
            *[end, end, *args],
        )
    else:
        # PostgreSQL: one (parallel) scan is faster than three counts.
        rows = await TicketMetrics.raw(
            "SELECT SUM(CASE WHEN m.created_at >= {} THEN 1 ELSE 0 END) AS created,"
            " SUM(CASE WHEN m.last_solved_at IS NULL OR m.last_solved_at >= {}"
            " OR m.status NOT IN ('solved', 'closed') THEN 1 ELSE 0 END) AS backlog"
            f" FROM ticket_metrics m WHERE m.created_at < {{}}{where}",
            *[start, end, end, *args],
        )
    return {"created": int(rows[0]["created"] or 0), "backlog_at_end": int(rows[0]["backlog"] or 0)}
