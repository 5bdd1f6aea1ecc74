"""The lead report: pipeline value by stage, conversion by source channel, median time in
stage, win rate per owner (docs/sales.md defines each figure), as JSON or CSV. Money is
never converted: every value is a list of per-currency sums."""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any

from . import queries
from .money import per_currency
from .service import CLOSED, stages


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


async def lead_report(
    *, start: datetime | None = None, end: datetime | None = None
) -> dict[str, Any]:
    """Over the leads created in [start, end) (all when not given), merged-away ones left
    out. Each value is given per currency (`per_currency`); counts and rates over all leads."""
    leads = await queries.report_leads(start, end)
    pipeline = []
    for stage in stages():
        found = [lead for lead in leads if lead["stage"] == stage]
        pipeline.append(
            {
                "stage": stage,
                "leads": len(found),
                "value": per_currency(found),
            }
        )
    channels: dict[str, list[dict[str, Any]]] = defaultdict(list)
    owners: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for lead in leads:
        channels[lead["source_channel"]].append(lead)
        owners[lead["owner"]].append(lead)
    by_channel = []
    for channel, found in sorted(channels.items()):
        won = [lead for lead in found if lead["stage"] == "won"]
        by_channel.append(
            {
                "channel": channel,
                "leads": len(found),
                "won": len(won),
                "lost": sum(1 for lead in found if lead["stage"] == "lost"),
                "conversion_rate": _rate(len(won), len(found)),
                "won_value": per_currency(won),
            }
        )
    by_owner = []
    for owner, found in sorted(owners.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        won = [lead for lead in found if lead["stage"] == "won"]
        lost = sum(1 for lead in found if lead["stage"] == "lost")
        by_owner.append(
            {
                "owner_id": owner,
                "owner_name": found[0]["owner_name"] if owner is not None else None,
                "leads": len(found),
                "won": len(won),
                "lost": lost,
                "win_rate": _rate(len(won), len(won) + lost),
                "won_value": per_currency(won),
            }
        )
    return {
        "from": start,
        "to": end,
        "stages": stages(),
        "leads": len(leads),
        "open_value": per_currency(lead for lead in leads if lead["stage"] not in CLOSED),
        "won_value": per_currency(lead for lead in leads if lead["stage"] == "won"),
        "pipeline": pipeline,
        "by_channel": by_channel,
        "time_in_stage": await _time_in_stage([int(lead["id"]) for lead in leads]),
        "by_owner": by_owner,
    }


async def _time_in_stage(lead_ids: list[int]) -> list[dict[str, Any]]:
    """Per stage, the median days a lead stayed in it, over the stays that ended (a lead
    entered the stage, then moved on); the stays still going are not counted."""
    stays: dict[str, list[float]] = defaultdict(list)
    entered: tuple[int, str, datetime] | None = None
    for event in await queries.stage_events(lead_ids):
        if entered is not None and entered[0] == event["lead"]:
            days = (event["at"] - entered[2]).total_seconds() / 86400
            stays[entered[1]].append(days)
        entered = (int(event["lead"]), str(event["to_stage"]), event["at"])
    return [
        {
            "stage": stage,
            "stays": len(stays[stage]),
            "median_days": round(statistics.median(stays[stage]), 2) if stays[stage] else None,
        }
        for stage in stages()
        if stage not in CLOSED
    ]


CSV_HEADER = ["section", "name", "currency", "leads", "value", "won", "lost", "rate", "median_days"]


def _csv_rows(
    section: str, name: str, counts: list[Any], money: list[dict[str, Any]]
) -> list[list[Any]]:
    """One row per currency of the section/name's value (one row with a blank currency
    when it has none). The counts (leads, won, lost, rate, median_days; None is blank) go
    on its first row only, so that a spreadsheet's column sums count each lead once."""
    first = ["" if value is None else value for value in counts]
    rows = []
    for n, part in enumerate(money or [{"currency": "", "amount": ""}]):
        figures = first if n == 0 else [""] * len(first)
        rows.append([section, name, part["currency"], figures[0], part["amount"], *figures[1:]])
    return rows


def report_csv(report: dict[str, Any]) -> str:
    """One table, CSV_HEADER: the rows of each section (see `_csv_rows`); `value` is the
    stage's value for the pipeline and the won value for channels and owners."""
    rows: list[list[Any]] = []
    for row in report["pipeline"]:
        rows += _csv_rows(
            "pipeline", row["stage"], [row["leads"], None, None, None, None], row["value"]
        )
    for row in report["by_channel"]:
        counts = [row["leads"], row["won"], row["lost"], row["conversion_rate"], None]
        rows += _csv_rows("channel", row["channel"], counts, row["won_value"])
    for row in report["time_in_stage"]:
        rows += _csv_rows(
            "time_in_stage", row["stage"], [row["stays"], None, None, None, row["median_days"]], []
        )
    for row in report["by_owner"]:
        counts = [row["leads"], row["won"], row["lost"], row["win_rate"], None]
        rows += _csv_rows("owner", row["owner_name"] or "(nobody)", counts, row["won_value"])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return out.getvalue()
