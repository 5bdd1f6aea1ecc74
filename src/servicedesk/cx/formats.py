"""Report output as CSV (for spreadsheets); JSON is the report itself, and cx/terminal.py
prints it as tables a person reads."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from operator import itemgetter
from typing import Any

# The business-hours figures of a row (cx/reports.py), beside their calendar ones.
BUSINESS_KEYS = (
    "avg_resolution_business_hours",
    "median_resolution_business_hours",
    "p90_resolution_business_hours",
    "first_response_median_business_minutes",
    "first_response_p90_business_minutes",
)

# CSV columns: name, and its value of a report row.
COLUMNS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("solved", lambda r: r["solved"]),
    ("fcr_eligible", lambda r: r["fcr"]["eligible"]),
    ("fcr_count", lambda r: r["fcr"]["count"]),
    ("fcr_rate", lambda r: r["fcr"]["rate"]),
    ("fcr_ci95_low", lambda r: (r["fcr"]["ci95"] or [None, None])[0]),
    ("fcr_ci95_high", lambda r: (r["fcr"]["ci95"] or [None, None])[1]),
    ("avg_resolution_hours", lambda r: r["avg_resolution_hours"]),
    ("median_resolution_hours", lambda r: r["median_resolution_hours"]),
    ("p90_resolution_hours", lambda r: r["p90_resolution_hours"]),
    ("csat_responses", lambda r: r["csat"]["responses"]),
    ("csat_satisfied", lambda r: r["csat"]["satisfied"]),
    ("csat_score", lambda r: r["csat"]["score"]),
    ("csat_ci95_low", lambda r: (r["csat"]["ci95"] or [None, None])[0]),
    ("csat_ci95_high", lambda r: (r["csat"]["ci95"] or [None, None])[1]),
    ("first_response_median_minutes", lambda r: r["first_response_median_minutes"]),
    ("reopen_rate", lambda r: r["reopen_rate"]),
    ("low_sample", lambda r: r["low_sample"]),
    # Added later at the end, so that a spreadsheet reading the columns above by position
    # still finds them there.
    ("first_response_p90_minutes", lambda r: r["first_response_p90_minutes"]),
    *((key, itemgetter(key)) for key in BUSINESS_KEYS),
]


def _table_rows(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    groups = report["group_by"]
    header = [*groups, *(name for name, _ in COLUMNS)]
    rows = [
        [row.get(g) for g in groups] + [get(row) for _, get in COLUMNS] for row in report["rows"]
    ]
    if groups:
        rows.append(
            ["TOTAL"] + [""] * (len(groups) - 1) + [get(report["totals"]) for _, get in COLUMNS]
        )
    return header, rows


def cx_csv(report: dict[str, Any]) -> str:
    header, rows = _table_rows(report)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return out.getvalue()


def flat_csv(items: list[dict[str, Any]]) -> str:
    """CSV of flat dicts (drill-down lists, NPS, customer metrics)."""
    out = io.StringIO()
    if items:
        writer = csv.DictWriter(out, fieldnames=list(items[0]))
        writer.writeheader()
        writer.writerows(items)
    return out.getvalue()
