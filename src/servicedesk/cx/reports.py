"""CX reports: one aggregate query over ticket_metrics for the cohort of a period.

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

from servicedesk.clock import iso
from servicedesk.db import get_engine, is_sqlite
from servicedesk.errors import Invalid

from .tables import SurveyResponse, TicketMetrics

GROUPS = ("agent", "channel", "team", "day", "week", "month")
LOW_SAMPLE = 30
Z95 = 1.959963984540054

FCR_CONDITION = (
    "m.agent_public_replies >= 1 AND m.reopens = 0 AND m.inbound_before_first_solve = 1"
    " AND m.replies_before_first_solve <= 1 AND m.repeat_contact_ticket IS NULL"
)


def wilson(successes: int, total: int) -> tuple[float, float] | None:
    """95 % Wilson score interval of a proportion."""
    if total == 0:
        return None
    p = successes / total
    z2 = Z95 * Z95
    denominator = 1 + z2 / total
    center = (p + z2 / (2 * total)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denominator
    return max(0.0, center - half), min(1.0, center + half)


def percentile(ordered: NDArray[np.float64], q: float) -> float | None:
    """Linear interpolation between closest ranks of sorted values, as PostgreSQL's
    percentile_cont."""
    if not len(ordered):
        return None
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def parse_group_by(value: str | list[str] | None) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    groups = [item.strip() for item in items if item.strip()]
    for group in groups:
        if group not in GROUPS:
            raise Invalid(f"group_by takes {', '.join(GROUPS)}; got {group!r}", field="group_by")
    if len(set(groups)) != len(groups):
        raise Invalid("group_by names a dimension twice", field="group_by")
    return groups


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


def _cohort_sql(filters: dict[str, str | None]) -> tuple[str, list[Any]]:
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


def _check_period(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise Invalid("from and to need a time zone, e.g. 2026-01-01T00:00:00Z", field="from")
    if end <= start:
        raise Invalid("to must be after from", field="to")


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
# The integer sums by name (`surveys_sent` is a count per ticket, the others are tickets).
COUNTS = ("solved", *CONDITIONS, "surveys_sent")
# Per duration name, its (median, p90); None where the group has no value.
Quantiles = dict[str, tuple[float | None, float | None]]


def _row(values: dict[str, Any], groups: list[str], quantiles: Quantiles) -> dict[str, Any]:
    solved = int(values["solved"])
    eligible, fcr = int(values["eligible"] or 0), int(values["fcr"] or 0)
    responses, satisfied = int(values["responses"] or 0), int(values["satisfied"] or 0)
    surveys_sent = int(values["surveys_sent"] or 0)
    fcr_ci = wilson(fcr, eligible)
    csat_ci = wilson(satisfied, responses)
    row: dict[str, Any] = {group: values[group] for group in groups}
    row.update(
        solved=solved,
        fcr={
            "eligible": eligible,
            "count": fcr,
            "low_sample": eligible < LOW_SAMPLE,
            "rate": round(fcr / eligible, 4) if eligible else None,
            "ci95": [round(fcr_ci[0], 4), round(fcr_ci[1], 4)] if fcr_ci else None,
        },
        **_durations(values, quantiles, ""),
        csat={
            "responses": responses,
            "satisfied": satisfied,
            "low_sample": responses < LOW_SAMPLE,
            "score": round(100 * satisfied / responses, 2) if responses else None,
            "ci95": [round(100 * csat_ci[0], 2), round(100 * csat_ci[1], 2)] if csat_ci else None,
            "surveys_sent": surveys_sent,
            "response_rate": round(min(responses, surveys_sent) / surveys_sent, 4)
            if surveys_sent
            else None,
        },
        **_first_response(quantiles, ""),
        **_durations(values, quantiles, "_business"),
        **_first_response(quantiles, "_business"),
        reopen_rate=round(int(values["reopened"] or 0) / solved, 4) if solved else None,
        # A lead should not rank an agent on a handful of tickets: the row is flagged when
        # the denominator of its headline rate (FCR-eligible tickets) is under 30, and each
        # rate carries its own flag for its own denominator.
        low_sample=eligible < LOW_SAMPLE,
    )
    return row


def _durations(values: dict[str, Any], quantiles: Quantiles, kind: str) -> dict[str, Any]:
    """Mean, median and p90 resolution in hours, calendar (kind "") or business ("_business").
    The mean is over the tickets with a value (every cohort ticket has both durations)."""
    count = values[f"resolution{kind}_count"]
    median, p90 = quantiles.get(f"resolution{kind}", (None, None))
    return {
        f"avg_resolution{kind}_hours": round(values[f"resolution{kind}_minutes"] / count / 60, 4)
        if count
        else None,
        f"median_resolution{kind}_hours": _hours(median),
        f"p90_resolution{kind}_hours": _hours(p90),
    }


def _first_response(quantiles: Quantiles, kind: str) -> dict[str, Any]:
    median, p90 = quantiles.get(f"first_response{kind}", (None, None))
    return {
        f"first_response_median{kind}_minutes": _round(median),
        f"first_response_p90{kind}_minutes": _round(p90),
    }


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 4)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


async def cx_report(
    *,
    start: datetime,
    end: datetime,
    group_by: list[str],
    filters: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """The cx report of the spec: rows per group and the totals of the whole cohort."""
    _check_period(start, end)
    filters = filters or {}
    figures = _figures(group_by, start, end, filters)
    volume = _volume(start, end, filters)
    if _one_connection():
        (groups, total), counts = await figures, await volume
    else:
        # Connections of their own, so other cores: the volume reads other rows.
        (groups, total), counts = await asyncio.gather(figures, volume)
    totals = _row(total.values, [], total.quantiles)
    rows = [_row(group.values, group_by, group.quantiles) for group in groups]
    return {
        "volume": counts,
        "from": iso(start),
        "to": iso(end),
        "group_by": group_by,
        "rows": rows if group_by else [totals],
        "totals": totals,
    }


def _one_connection() -> bool:
    """Inside a transaction every query runs on its connection, which runs one at a time."""
    return get_engine().transaction_exists()


# The cohort is read in this many slices of the period at once, each on a connection of its
# own: neither engine spreads this query over several cores by itself (SQLite never does;
# PostgreSQL 15 does not for array_agg), and at a million tickets two slices on two cores
# take 50-70 % of the time of one.
SLICES = min(4, os.cpu_count() or 1)


def _slices(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) cut into SLICES equal half-open periods (one inside a transaction)."""
    count = 1 if _one_connection() else SLICES
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


async def _figures(
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
    from_sql, filter_args = _cohort_sql(filters)
    keys = [_group_key(g) for g in group_by]
    columns = [f"{key} AS group_{i}" for i, key in enumerate(keys)]
    columns.append("COUNT(*) AS solved")
    columns += [
        f"SUM(CASE WHEN {sql} THEN 1 ELSE 0 END) AS {name}" for name, sql in CONDITIONS.items()
    ]
    columns.append("SUM(m.surveys_sent) AS surveys_sent")
    columns += [f"{_list_of(column)} AS {name}" for name, column in DURATIONS.items()]
    grouping = f" GROUP BY {', '.join(keys)}" if keys else ""
    sql = f"SELECT {', '.join(columns)}{from_sql}{grouping}"
    queries = [TicketMetrics.raw(sql, *period, *filter_args) for period in _slices(start, end)]
    found = [await q for q in queries] if _one_connection() else await asyncio.gather(*queries)
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
    figures = [_figures_of(group, counts, durations) for group, counts, durations in groups]
    return _sort_rows(figures, group_by), _figures_of({}, total_counts, total_durations)


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


async def _volume(start: datetime, end: datetime, filters: dict[str, str | None]) -> dict[str, int]:
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


async def cohort_tickets(
    *, start: datetime, end: datetime, filters: dict[str, str | None], metric: str = "solved"
) -> list[dict[str, Any]]:
    """Drill-down: the tickets behind a figure, each with why it counts as it does."""
    _check_period(start, end)
    from_sql, filter_args = _cohort_sql(filters)
    rows = await TicketMetrics.raw(
        "SELECT m.ticket AS ticket_id, tk.subject AS subject, a.email AS agent, m.channel AS channel,"
        " t.name AS team, m.reopens AS reopens, m.inbound_before_first_solve AS inbound,"
        " m.replies_before_first_solve AS replies, m.agent_public_replies AS public_replies,"
        " m.repeat_contact_ticket AS repeat_ticket, rc.channel AS repeat_channel,"
        " rc.created_at AS repeat_at, m.rating AS rating, m.full_resolution_minutes AS minutes,"
        " m.full_resolution_business_minutes AS business_minutes,"
        " m.last_solved_at AS last_solved_at"
        + from_sql.replace(
            " WHERE ",
            " JOIN ticket tk ON tk.id = m.ticket LEFT JOIN ticket_metrics rc"
            " ON rc.ticket = m.repeat_contact_ticket WHERE ",
            1,
        )
        + " ORDER BY m.last_solved_at, m.ticket",
        start,
        end,
        *filter_args,
    )
    items = []
    for row in rows:
        reason, is_fcr = fcr_reason(row)
        include = {
            "solved": True,
            "fcr": is_fcr,
            "not_fcr": not is_fcr and row["public_replies"] >= 1,
            "fcr_eligible": row["public_replies"] >= 1,
            "csat": row["rating"] is not None,
            "satisfied": (row["rating"] or 0) >= 4,
            "reopened": row["reopens"] > 0,
        }.get(metric)
        if include is None:
            raise Invalid(
                "metric is one of solved, fcr, not_fcr, fcr_eligible, csat, satisfied, reopened",
                field="metric",
            )
        if include:
            items.append(
                {
                    "ticket_id": row["ticket_id"],
                    "number": row["ticket_id"],
                    "subject": row["subject"],
                    "agent": row["agent"],
                    "channel": row["channel"],
                    "team": row["team"],
                    "rating": row["rating"],
                    "resolution_hours": _hours(row["minutes"]),
                    "resolution_business_hours": _hours(row["business_minutes"]),
                    "reason": reason
                    if metric not in ("csat", "satisfied")
                    else f"rated {row['rating']}",
                }
            )
    return items


def fcr_reason(row: dict[str, Any]) -> tuple[str, bool]:
    """Why a cohort ticket is or is not first contact resolution, in words."""
    if row["public_replies"] < 1:
        return "not eligible for FCR: solved without a public reply", False
    if row["reopens"]:
        return f"not FCR: reopened {row['reopens']} time(s)", False
    if row["inbound"] != 1:
        return f"not FCR: the customer wrote {row['inbound']} times before the first solve", False
    if row["replies"] > 1:
        return f"not FCR: {row['replies']} replies before the first solve", False
    if row["repeat_ticket"] is not None:
        when = row["repeat_at"]
        when_text = iso(when) if isinstance(when, datetime) else str(when)
        return (
            f"not FCR: repeat contact by {row['repeat_channel']} on {when_text} (ticket #{row['repeat_ticket']})",
            False,
        )
    return "FCR: one message, one reply, solved, no repeat contact", True


async def nps_report(*, start: datetime, end: datetime) -> dict[str, Any]:
    _check_period(start, end)
    rows = await SurveyResponse.select(SurveyResponse.score).where(
        SurveyResponse.kind == "nps",
        SurveyResponse.created_at >= start,
        SurveyResponse.created_at < end,
    )
    scores = [row["score"] for row in rows]
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    responses = len(scores)
    return {
        "from": iso(start),
        "to": iso(end),
        "responses": responses,
        "promoters": promoters,
        "passives": responses - promoters - detractors,
        "detractors": detractors,
        "nps": round(100 * (promoters - detractors) / responses, 2) if responses else None,
    }


async def ces_report(*, start: datetime, end: datetime) -> dict[str, Any]:
    """CES mean and distribution, overall and by the ticket's channel."""
    _check_period(start, end)
    rows = await TicketMetrics.raw(
        "SELECT r.score AS score, m.channel AS channel FROM survey_response r"
        " LEFT JOIN ticket_metrics m ON m.ticket = r.ticket"
        " WHERE r.kind = 'ces' AND r.created_at >= {} AND r.created_at < {}",
        start,
        end,
    )

    def summary(scores: list[int]) -> dict[str, Any]:
        return {
            "responses": len(scores),
            "mean": round(sum(scores) / len(scores), 2) if scores else None,
            "distribution": {str(s): scores.count(s) for s in range(1, 8)},
        }

    channels = sorted({row["channel"] or "unknown" for row in rows})
    return {
        "from": iso(start),
        "to": iso(end),
        **summary([row["score"] for row in rows]),
        "by_channel": [
            {
                "channel": c,
                **summary([r["score"] for r in rows if (r["channel"] or "unknown") == c]),
            }
            for c in channels
        ],
    }


async def customers_report(*, start: datetime, end: datetime) -> dict[str, Any]:
    """Retention and churn, contacts per customer and channel mix (docs/metrics.md).

    A customer is active in a period when they opened a ticket in it. Customers "at start"
    are those active in the period of the same length just before [from, to); "at end" are
    those active in [from, to); "new" are active ones whose first ticket ever is in it."""
    _check_period(start, end)
    previous = start - (end - start)
    active_sql = "SELECT DISTINCT m.customer FROM ticket_metrics m WHERE m.created_at >= {} AND m.created_at < {}"
    before = {r["customer"] for r in await TicketMetrics.raw(active_sql, previous, start)}
    during = {r["customer"] for r in await TicketMetrics.raw(active_sql, start, end)}
    first_seen = await TicketMetrics.raw(
        "SELECT m.customer AS customer FROM ticket_metrics m GROUP BY m.customer HAVING MIN(m.created_at) >= {}"
        " AND MIN(m.created_at) < {}",
        start,
        end,
    )
    new = {r["customer"] for r in first_seen} & during
    lost = len(before) + len(new) - len(during)
    contacts = await TicketMetrics.raw(
        "SELECT i.channel AS channel, COUNT(*) AS contacts, COUNT(DISTINCT i.customer) AS customers"
        " FROM interaction i WHERE i.direction = 'inbound' AND i.created_at >= {} AND i.created_at < {}"
        " GROUP BY i.channel ORDER BY i.channel",
        start,
        end,
    )
    total_contacts = sum(int(r["contacts"]) for r in contacts)
    contacting = await TicketMetrics.raw(
        "SELECT COUNT(DISTINCT i.customer) AS n FROM interaction i"
        " WHERE i.direction = 'inbound' AND i.created_at >= {} AND i.created_at < {}",
        start,
        end,
    )
    customers_contacting = int(contacting[0]["n"] or 0)
    return {
        "from": iso(start),
        "to": iso(end),
        "customers_at_start": len(before),
        "customers_at_end": len(during),
        "new": len(new),
        "lost": lost,
        "churn_rate": round(lost / len(before), 4) if before else None,
        "retention_rate": round((len(during) - len(new)) / len(before), 4) if before else None,
        "contacts": total_contacts,
        "customers_contacting": customers_contacting,
        "contacts_per_customer": round(total_contacts / customers_contacting, 4)
        if customers_contacting
        else None,
        "channel_mix": [
            {
                "channel": r["channel"],
                "contacts": int(r["contacts"]),
                "share": round(int(r["contacts"]) / total_contacts, 4) if total_contacts else None,
            }
            for r in contacts
        ],
    }
