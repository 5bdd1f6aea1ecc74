"""Named reads of the outbox: its backlog, per kind (is the worker keeping up?)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Count, Min

from servicedesk.clock import stored

from .tables import OutboxMessage as Outbox

# Every kind the desk writes, listed even when it has nothing waiting.
KINDS = ("event", "email", "webhook", "channel")


async def backlog(*, now: datetime) -> list[dict[str, Any]]:
    """Per kind: `due`, the rows that should have gone by now (pending and due, or being
    sent: a claim takes only due rows), and when the oldest of them fell due;
    `scheduled`, the pending rows due later (follow-ups, delayed surveys, retries waiting
    out their backoff); and the rows left for an admin (`failed`, `unknown`). Two grouped
    counts over the status index."""
    found = {kind: _nothing_waiting(kind) for kind in KINDS}
    # Each filter starts with a list of statuses, so the status index (status, id) finds
    # the rows waiting, however many were sent.
    due = Outbox.status.is_in(["pending", "sending"]) & (Outbox.not_before <= now)
    for row in (
        await Outbox.select(
            Outbox.kind, Count(alias="count"), Min(Outbox.not_before, alias="oldest")
        )
        .where(due)
        .group_by(Outbox.kind)
    ):
        entry = found.setdefault(row["kind"], _nothing_waiting(row["kind"]))
        entry["due"], entry["oldest_due_at"] = int(row["count"]), stored(row["oldest"])
    later = Outbox.status.is_in(["pending", "failed", "unknown"]) & (
        (Outbox.status != "pending") | (Outbox.not_before > now)
    )
    for row in (
        await Outbox.select(Outbox.kind, Outbox.status, Count(alias="count"))
        .where(later)
        .group_by(Outbox.kind, Outbox.status)
    ):
        entry = found.setdefault(row["kind"], _nothing_waiting(row["kind"]))
        key = "scheduled" if row["status"] == "pending" else row["status"]
        entry[key] = int(row["count"])
    return list(found.values())


def _nothing_waiting(kind: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "due": 0,
        "oldest_due_at": None,
        "scheduled": 0,
        "failed": 0,
        "unknown": 0,
    }
