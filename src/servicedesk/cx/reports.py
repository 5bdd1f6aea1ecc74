"""CX reports: the cx report's rows and totals, shaped from the figures of the period's
cohort (read by cx/cohort.py, which says what the cohort is), the drill-down to the tickets
behind a figure, and the NPS, CES and customer reports."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime
from typing import Any

from servicedesk.clock import iso
from servicedesk.errors import Invalid
from servicedesk.sla.clock import TARGETS as SLA_TARGETS

from .cohort import Quantiles, cohort_figures, cohort_sql, cohort_volume, one_connection
from .tables import SurveyResponse, TicketMetrics

GROUPS = ("agent", "channel", "team", "day", "week", "month")
LOW_SAMPLE = 30
Z95 = 1.959963984540054


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


def parse_group_by(value: str | list[str] | None) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    groups = [item.strip() for item in items if item.strip()]
    for group in groups:
        if group not in GROUPS:
            raise Invalid(f"group_by takes {', '.join(GROUPS)}; got {group!r}", field="group_by")
    if len(set(groups)) != len(groups):
        raise Invalid("group_by names a dimension twice", field="group_by")
    return groups


def _check_period(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise Invalid("from and to need a time zone, e.g. 2026-01-01T00:00:00Z", field="from")
    if end <= start:
        raise Invalid("to must be after from", field="to")


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
        sla=_sla_achievement(values),
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


def _sla_achievement(values: dict[str, Any]) -> dict[str, Any]:
    """Per SLA target: measured (met + missed), met, missed and the share met."""
    achievement: dict[str, Any] = {}
    for target in SLA_TARGETS:
        met = int(values.get(f"sla_{target}_met") or 0)
        missed = int(values.get(f"sla_{target}_missed") or 0)
        measured = met + missed
        achievement[target] = {
            "measured": measured,
            "met": met,
            "missed": missed,
            "rate": round(met / measured, 4) if measured else None,
        }
    return achievement


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
    figures = cohort_figures(group_by, start, end, filters)
    volume = cohort_volume(start, end, filters)
    if one_connection():
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


async def cohort_tickets(
    *, start: datetime, end: datetime, filters: dict[str, str | None], metric: str = "solved"
) -> list[dict[str, Any]]:
    """Drill-down: the tickets behind a figure, each with why it counts as it does."""
    _check_period(start, end)
    from_sql, filter_args = cohort_sql(filters)
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
