"""CX reports: one aggregate query over ticket_metrics for the cohort of a period.

The cohort of [from, to) is the tickets whose status is solved or closed and whose last
solve falls in the period; every figure of a row describes the same tickets."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from servicedesk.clock import iso
from servicedesk.db import is_sqlite
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


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


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


def _cohort_sql(groups: list[str], filters: dict[str, str | None]) -> tuple[str, list[Any]]:
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


def _check_period(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise Invalid("from and to need a time zone, e.g. 2026-01-01T00:00:00Z", field="from")
    if end <= start:
        raise Invalid("to must be after from", field="to")


# The durations whose median and 90th percentile a row shows (means alone hide the long tail).
DURATIONS = {
    "resolution": "m.full_resolution_minutes",
    "first_response": "m.first_response_minutes",
}
QUANTILES = (0.5, 0.9)
# Per duration name, its (median, p90); None where the group has no value.
Quantiles = dict[str, tuple[float | None, float | None]]


def _row(values: dict[str, Any], groups: list[str], quantiles: Quantiles) -> dict[str, Any]:
    solved = int(values["solved"])
    eligible, fcr = int(values["eligible"] or 0), int(values["fcr"] or 0)
    responses, satisfied = int(values["responses"] or 0), int(values["satisfied"] or 0)
    surveys_sent = int(values["surveys_sent"] or 0)
    fcr_ci = wilson(fcr, eligible)
    csat_ci = wilson(satisfied, responses)
    resolution = quantiles.get("resolution", (None, None))
    first_response = quantiles.get("first_response", (None, None))
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
        avg_resolution_hours=round(float(values["resolution_minutes"]) / solved / 60, 4)
        if solved
        else None,
        median_resolution_hours=_hours(resolution[0]),
        p90_resolution_hours=_hours(resolution[1]),
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
        first_response_median_minutes=_round(first_response[0]),
        first_response_p90_minutes=_round(first_response[1]),
        reopen_rate=round(int(values["reopened"] or 0) / solved, 4) if solved else None,
        # A lead should not rank an agent on a handful of tickets: the row is flagged when
        # the denominator of its headline rate (FCR-eligible tickets) is under 30, and each
        # rate carries its own flag for its own denominator.
        low_sample=eligible < LOW_SAMPLE,
    )
    return row


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
    aggregates = (
        "COUNT(*) AS solved,"
        " SUM(CASE WHEN m.agent_public_replies >= 1 THEN 1 ELSE 0 END) AS eligible,"
        f" SUM(CASE WHEN {FCR_CONDITION} THEN 1 ELSE 0 END) AS fcr,"
        " SUM(m.full_resolution_minutes) AS resolution_minutes,"
        " SUM(CASE WHEN m.rating IS NOT NULL THEN 1 ELSE 0 END) AS responses,"
        " SUM(CASE WHEN m.rating >= 4 THEN 1 ELSE 0 END) AS satisfied,"
        " SUM(m.surveys_sent) AS surveys_sent,"
        " SUM(CASE WHEN m.reopens > 0 THEN 1 ELSE 0 END) AS reopened"
    )
    from_sql, filter_args = _cohort_sql(group_by, filters)
    args = [start, end, *filter_args]
    select_groups = "".join(f"{_group_expression(g)} AS {g}, " for g in group_by)
    group_clause = (
        f" GROUP BY {', '.join(_group_expression(g) for g in group_by)}" if group_by else ""
    )
    order_clause = f" ORDER BY {', '.join(g for g in group_by)}" if group_by else ""
    if not is_sqlite():
        # PostgreSQL computes the medians and p90s in the same pass (percentile_cont).
        aggregates += "".join(
            f", percentile_cont({q}) WITHIN GROUP (ORDER BY {column}) AS {name}_{i}"
            for name, column in DURATIONS.items()
            for i, q in enumerate(QUANTILES)
        )
    grouped = await TicketMetrics.raw(
        f"SELECT {select_groups}{aggregates}{from_sql}{group_clause}{order_clause}", *args
    )
    durations = await _quantiles(group_by, from_sql, args, grouped)
    rows = [
        _row(values, group_by, durations.get(_key(values, group_by), {}))
        for values in grouped
        if values["solved"]
    ]
    total_rows = await TicketMetrics.raw(f"SELECT {aggregates}{from_sql}", *args)
    total_values = total_rows[0]
    total_durations = (await _quantiles([], from_sql, args, total_rows)).get((), {})
    totals = (
        _row(total_values, [], total_durations)
        if total_values["solved"]
        else _row(
            {
                "solved": 0,
                "eligible": 0,
                "fcr": 0,
                "resolution_minutes": 0,
                "responses": 0,
                "satisfied": 0,
                "surveys_sent": 0,
                "reopened": 0,
            },
            [],
            {},
        )
    )
    if not group_by:
        rows = [totals]
    return {
        "volume": await _volume(start, end, filters),
        "from": iso(start),
        "to": iso(end),
        "group_by": group_by,
        "rows": rows,
        "totals": totals,
    }


async def _volume(start: datetime, end: datetime, filters: dict[str, str | None]) -> dict[str, int]:
    """Tickets opened in the period, and the backlog at its end: opened before `to` and
    not solved by then (a ticket reopened after its last solve before `to` counts as
    solved; the facts keep the last solve, not every status change)."""
    where: list[str] = ["m.created_at < {}"]
    args: list[Any] = [end]
    channel = filters.get("channel")
    if channel is not None:
        where.append("m.channel = {}")
        args.append(channel)
    rows = await TicketMetrics.raw(
        "SELECT SUM(CASE WHEN m.created_at >= {} THEN 1 ELSE 0 END) AS created,"
        " SUM(CASE WHEN m.last_solved_at IS NULL OR m.last_solved_at >= {}"
        " OR m.status NOT IN ('solved', 'closed') THEN 1 ELSE 0 END) AS backlog"
        " FROM ticket_metrics m WHERE " + " AND ".join(where),
        start,
        end,
        *args,
    )
    return {"created": int(rows[0]["created"] or 0), "backlog_at_end": int(rows[0]["backlog"] or 0)}


def _key(values: dict[str, Any], group_by: list[str]) -> tuple[Any, ...]:
    return tuple(values[g] for g in group_by)


async def _quantiles(
    group_by: list[str], from_sql: str, args: list[Any], grouped: list[dict[str, Any]]
) -> dict[tuple[Any, ...], Quantiles]:
    """Per-group median and p90 of each duration, as percentile() (PostgreSQL's
    percentile_cont) defines them. On PostgreSQL they come with the grouped rows. SQLite has
    no percentile function: a window query returns, per group, only the order statistics
    the interpolation needs (not every duration of the cohort), and Python interpolates
    between them exactly as percentile() does."""
    if not is_sqlite():
        return {
            _key(values, group_by): {
                name: (
                    _float(values[f"{name}_0"]),
                    _float(values[f"{name}_1"]),
                )
                for name in DURATIONS
            }
            for values in grouped
        }
    names = [f"{_group_expression(g)} AS {g}" for g in group_by]
    partition = (
        f"PARTITION BY {', '.join(_group_expression(g) for g in group_by)} " if group_by else ""
    )
    ranks = ", ".join(
        f"CAST((cnt - 1) * {q} AS INTEGER){plus}" for q in QUANTILES for plus in ("", " + 1")
    )
    selects = [
        f"SELECT {''.join(g + ', ' for g in group_by)}'{name}' AS name, v, rn, cnt FROM ("
        f"SELECT {''.join(n + ', ' for n in names)}{column} AS v,"
        f" ROW_NUMBER() OVER ({partition}ORDER BY {column}) - 1 AS rn,"
        f" COUNT(*) OVER ({partition.strip()}) AS cnt"
        f"{from_sql} AND {column} IS NOT NULL) WHERE rn IN ({ranks})"
        for name, column in DURATIONS.items()
    ]
    rows = await TicketMetrics.raw(" UNION ALL ".join(selects), *(args * len(selects)))
    ranked: dict[tuple[Any, ...], dict[str, tuple[int, dict[int, float]]]] = {}
    for row in rows:
        by_name = ranked.setdefault(_key(row, group_by), {})
        count, values = by_name.setdefault(row["name"], (int(row["cnt"]), {}))
        values[int(row["rn"])] = float(row["v"])
    return {
        key: {
            name: (
                (
                    _interpolate(*by_name[name], QUANTILES[0]),
                    _interpolate(*by_name[name], QUANTILES[1]),
                )
                if name in by_name
                else (None, None)
            )
            for name in DURATIONS
        }
        for key, by_name in ranked.items()
    }


def _interpolate(count: int, ordered: dict[int, float], q: float) -> float:
    """percentile() over a sorted list of `count` values of which only the ranks around
    the q-th are known."""
    position = (count - 1) * q
    low = math.floor(position)
    high = min(low + 1, count - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


async def cohort_tickets(
    *, start: datetime, end: datetime, filters: dict[str, str | None], metric: str = "solved"
) -> list[dict[str, Any]]:
    """Drill-down: the tickets behind a figure, each with why it counts as it does."""
    _check_period(start, end)
    from_sql, filter_args = _cohort_sql([], filters)
    rows = await TicketMetrics.raw(
        "SELECT m.ticket AS ticket_id, tk.subject AS subject, a.email AS agent, m.channel AS channel,"
        " t.name AS team, m.reopens AS reopens, m.inbound_before_first_solve AS inbound,"
        " m.replies_before_first_solve AS replies, m.agent_public_replies AS public_replies,"
        " m.repeat_contact_ticket AS repeat_ticket, rc.channel AS repeat_channel,"
        " rc.created_at AS repeat_at, m.rating AS rating, m.full_resolution_minutes AS minutes,"
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
