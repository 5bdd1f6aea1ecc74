"""Report output as CSV (for spreadsheets) or a terminal table; JSON is the report itself."""

from __future__ import annotations

import csv
import io
from typing import Any

from servicedesk.sla.clock import TARGETS as SLA_TARGETS

COLUMNS = [
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
    *[
        (f"sla_{target}_{key}", lambda r, t=target, k=key: r["sla"][t][k])
        for target in SLA_TARGETS
        for key in ("measured", "met", "rate")
    ],
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


def cx_table(report: dict[str, Any]) -> Any:
    from rich.table import Table

    header, rows = _table_rows(report)
    table = Table(title=f"CX {report['from']} – {report['to']}")
    for name in header:
        table.add_column(name)
    for row in rows:
        table.add_row(*["–" if v is None else str(v) for v in row])
    return table
