"""The lead report: pipeline value by stage, conversion by source channel, median time in
stage, win rate per owner (docs/sales.md defines each figure), as JSON or CSV."""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any

from . import queries
from .service import CLOSED, stages


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


async def lead_report(
    *, start: datetime | None = None, end: datetime | None = None
) -> dict[str, Any]:
    """Over the leads created in [start, end) (all when not given), merged-away ones left
    out. Values are summed as numbers whatever their currency (one currency per desk)."""
    leads = await queries.report_leads(start, end)
    pipeline = []
    for stage in stages():
        found = [lead for lead in leads if lead["stage"] == stage]
        pipeline.append(
            {
                "stage": stage,
                "leads": len(found),
                "value": sum(lead["value_cents"] for lead in found) / 100,
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
                "won_value": sum(lead["value_cents"] for lead in won) / 100,
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
                "won_value": sum(lead["value_cents"] for lead in won) / 100,
            }
        )
    return {
        "from": start,
        "to": end,
        "stages": stages(),
        "leads": len(leads),
        "open_value": sum(lead["value_cents"] for lead in leads if lead["stage"] not in CLOSED)
        / 100,
        "won_value": sum(lead["value_cents"] for lead in leads if lead["stage"] == "won") / 100,
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


def report_csv(report: dict[str, Any]) -> str:
    """One table: section, name, then the figures (blank where a section has none)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "name", "leads", "value", "won", "lost", "rate", "median_days"])
    for row in report["pipeline"]:
        writer.writerow(["pipeline", row["stage"], row["leads"], row["value"], "", "", "", ""])
    for row in report["by_channel"]:
        writer.writerow(
            [
                "channel",
                row["channel"],
                row["leads"],
                row["won_value"],
                row["won"],
                row["lost"],
                "" if row["conversion_rate"] is None else row["conversion_rate"],
                "",
            ]
        )
    for row in report["time_in_stage"]:
        median = "" if row["median_days"] is None else row["median_days"]
        writer.writerow(["time_in_stage", row["stage"], row["stays"], "", "", "", "", median])
    for row in report["by_owner"]:
        writer.writerow(
            [
                "owner",
                row["owner_name"] or "(nobody)",
                row["leads"],
                row["won_value"],
                row["won"],
                row["lost"],
                "" if row["win_rate"] is None else row["win_rate"],
                "",
            ]
        )
    return out.getvalue()
