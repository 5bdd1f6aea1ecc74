"""Named hand-written reads of the marketing domain."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from servicedesk.clock import stored, utcnow
from servicedesk.customers.tables import Customer

LIVE = "c.merged_into IS NULL"
PRIMARY_EMAIL = (
    "(SELECT i.value FROM customer_identity i WHERE i.customer = c.id"
    " AND i.kind = 'email' ORDER BY i.id LIMIT 1)"
)
SUPPRESSED = "EXISTS (SELECT 1 FROM suppression s WHERE s.customer = c.id)"


async def segment_count(*, where: str, args: list[Any]) -> int:
    rows = await Customer.raw(
        f"SELECT COUNT(*) AS n FROM customer c WHERE {LIVE} AND {where}", *args
    )
    return int(rows[0]["n"])


async def segment_members(
    *, where: str, args: list[Any], after_id: int, limit: int
) -> list[dict[str, Any]]:
    """A page of a segment's members in id order: id, name, primary email."""
    return list(
        await Customer.raw(
            f"SELECT c.id AS id, c.name AS name, {PRIMARY_EMAIL} AS email FROM customer c"
            f" WHERE {LIVE} AND c.id > {{}} AND {where} ORDER BY c.id LIMIT {int(limit)}",
            after_id,
            *args,
        )
    )


async def audience_page(
    *, where: str, args: list[Any], after_id: int, limit: int, cap_since: datetime | None
) -> list[dict[str, Any]]:
    """A page of a segment's members with what deciding each one takes: the address and
    template fields, consent, suppression, and marketing emails had since `cap_since`."""
    recent = "0"
    recent_args: list[Any] = []
    if cap_since is not None:
        recent = (
            "(SELECT COUNT(*) FROM campaign_recipient r WHERE r.customer = c.id"
            " AND r.status = 'queued' AND r.queued_at >= {})"
        )
        recent_args = [cap_since]
    return list(
        await Customer.raw(
            f"SELECT c.id AS id, c.name AS name, c.tags AS tags, {PRIMARY_EMAIL} AS email,"
            " (SELECT o.name FROM organization o WHERE o.id = c.organization) AS company,"
            f" c.marketing_consent AS consent, c.email_bounced AS bounced,"
            f" {SUPPRESSED} AS suppressed, {recent} AS recent"
            f" FROM customer c WHERE {LIVE} AND c.id > {{}} AND {where}"
            f" ORDER BY c.id LIMIT {int(limit)}",
            *recent_args,
            after_id,
            *args,
        )
    )


async def marketing_blocks(customer_ids: list[int]) -> dict[int, str]:
    """The customers among these that marketing email must not reach now, with why:
    skipped_no_consent, or skipped_suppressed (unsubscribed, bounced, complained)."""
    if not customer_ids:
        return {}
    marks = ", ".join(["{}"] * len(customer_ids))
    rows = await Customer.raw(
        f"SELECT c.id AS id, c.marketing_consent AS consent, c.email_bounced AS bounced,"
        f" {SUPPRESSED} AS suppressed FROM customer c WHERE c.id IN ({marks})",
        *customer_ids,
    )
    blocks: dict[int, str] = {}
    for row in rows:
        if row["bounced"] or row["suppressed"]:
            blocks[int(row["id"])] = "skipped_suppressed"
        elif not row["consent"]:
            blocks[int(row["id"])] = "skipped_no_consent"
    return blocks


async def recipient_counts(*, campaign_id: int) -> dict[str, int]:
    """Recipients by decision ("skipped_..."), the queued ones by the state of their email
    ("delivery:sent", ...), those a send-time check stopped by why ("cancelled:skipped_..."),
    and "late_bounce": bounces reported after delivery."""
    cancel_reason = "CASE WHEN o.status = 'cancelled' THEN o.last_error ELSE '' END"
    late = "CASE WHEN r.bounced_at IS NULL THEN 0 ELSE 1 END"
    rows = await Customer.raw(
        f"SELECT r.status AS status, COALESCE(o.status, '') AS delivery,"
        f" {cancel_reason} AS reason, {late} AS late_bounce, COUNT(*) AS n"
        " FROM campaign_recipient r LEFT JOIN outbox_message o ON o.id = r.outbox"
        f" WHERE r.campaign = {{}} GROUP BY r.status, o.status, {cancel_reason}, {late}",
        campaign_id,
    )
    counts: dict[str, int] = {}

    def add(key: str, n: int) -> None:
        counts[key] = counts.get(key, 0) + n

    for row in rows:
        n = int(row["n"])
        if row["status"] != "queued":
            add(row["status"], n)
            continue
        add(f"delivery:{row['delivery']}", n)
        if row["reason"]:
            add(f"cancelled:{row['reason']}", n)
        if row["late_bounce"]:
            add("late_bounce", n)
    return counts


async def unsubscribed(*, campaign_id: int) -> int:
    rows = await Customer.raw(
        "SELECT COUNT(*) AS n FROM suppression WHERE campaign = {} AND reason = 'unsubscribed'",
        campaign_id,
    )
    return int(rows[0]["n"])


async def replies(*, campaign_id: int, within: timedelta) -> int:
    """Recipients who contacted us (an inbound message, any channel) within `within` of
    the campaign email's delivery."""
    rows = await Customer.raw(
        "SELECT COUNT(DISTINCT r.customer) AS n FROM campaign_recipient r"
        " JOIN outbox_message o ON o.id = r.outbox AND o.status = 'sent'"
        " JOIN interaction x ON x.customer = r.customer AND x.direction = 'inbound'"
        " AND x.created_at >= o.sent_at AND x.created_at < {}"
        " WHERE r.campaign = {}",
        # The window's end per row would need interval arithmetic that differs between the
        # engines; the campaign's last delivery plus the window bounds it instead.
        await _last_sent(campaign_id) + within,
        campaign_id,
    )
    return int(rows[0]["n"])


async def _last_sent(campaign_id: int) -> datetime:
    rows = await Customer.raw(
        "SELECT MAX(o.sent_at) AS at FROM campaign_recipient r"
        " JOIN outbox_message o ON o.id = r.outbox WHERE r.campaign = {}",
        campaign_id,
    )
    at = rows[0]["at"] if rows else None
    return stored(at) if at else utcnow()


async def score_of_recipients(
    *, campaign_id: int, kind: str, start: datetime, end: datetime
) -> float | None:
    """The mean CSAT score, or the NPS, of the answers the campaign's queued recipients
    gave in [start, end)."""
    rows = await Customer.raw(
        "SELECT s.score AS score FROM survey_response s"
        " JOIN campaign_recipient r ON r.customer = s.customer AND r.campaign = {}"
        " AND r.status = 'queued'"
        " WHERE s.kind = {} AND s.created_at >= {} AND s.created_at < {}",
        campaign_id,
        kind,
        start,
        end,
    )
    scores = [int(row["score"]) for row in rows]
    if not scores:
        return None
    if kind == "nps":
        promoters = sum(1 for s in scores if s >= 9)
        detractors = sum(1 for s in scores if s <= 6)
        return round(100 * (promoters - detractors) / len(scores), 1)
    return round(sum(scores) / len(scores), 2)
