"""Named hand-written reads of the sales domain (also what other domains may call:
`current_lead_of` for the rules' context,
CURRENT_STAGE for segments, `campaign_figures` for the campaign report)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from servicedesk.accounts.tables import Agent
from servicedesk.clock import stored

from .money import per_currency
from .tables import Lead, LeadEvent

# The stage of customer c's current lead: the open one, else the latest (merged-away
# leads do not count). One scalar subquery, the same text on both engines.
CURRENT_STAGE = (
    "(SELECT l.stage FROM lead l WHERE l.customer = c.id AND l.merged_into IS NULL"
    " ORDER BY (l.open_key IS NULL), l.id DESC LIMIT 1)"
)


async def current_lead_of(customer_id: int) -> dict[str, Any] | None:
    """The customer's open lead, else their latest one (None: no lead): id, customer,
    stage, value_cents, currency, owner. One query (rules read it for every context)."""
    rows = await Lead.raw(
        "SELECT l.id AS id, l.customer AS customer, l.stage AS stage,"
        " l.value_cents AS value_cents, l.currency AS currency, l.owner AS owner"
        " FROM lead l WHERE l.customer = {} AND l.merged_into IS NULL"
        " ORDER BY (l.open_key IS NULL), l.id DESC LIMIT 1",
        customer_id,
    )
    return dict(rows[0]) if rows else None


async def open_lead_of(customer_id: int) -> dict[str, Any] | None:
    return await Lead.select().where(Lead.open_key == str(customer_id)).first()


async def team_agents(team_id: int) -> list[int]:
    rows = await Agent.select(Agent.id).where(Agent.team == team_id, Agent.active.eq(True))
    return sorted(int(r["id"]) for r in rows)


async def last_lead_of_owners(agent_ids: list[int]) -> dict[int, int]:
    """The newest lead id each agent owns (round robin: the oldest goes next)."""
    if not agent_ids:
        return {}
    rows = await Lead.raw(
        "SELECT owner, MAX(id) AS last FROM lead WHERE owner IN ("
        + ", ".join("{}" for _ in agent_ids)
        + ") GROUP BY owner",
        *agent_ids,
    )
    return {int(r["owner"]): int(r["last"]) for r in rows}


async def attributed_campaign(customer_id: int, start: datetime, end: datetime) -> int | None:
    """The latest campaign whose email reached the customer in [start, end] (last touch)."""
    rows = await Lead.raw(
        "SELECT r.campaign AS campaign FROM campaign_recipient r"
        " JOIN outbox_message o ON o.id = r.outbox AND o.status = 'sent'"
        " WHERE r.customer = {} AND o.sent_at >= {} AND o.sent_at <= {}"
        " ORDER BY o.sent_at DESC, r.id DESC LIMIT 1",
        customer_id,
        start,
        end,
    )
    return int(rows[0]["campaign"]) if rows else None


async def campaign_figures(campaign_id: int) -> tuple[int, list[dict[str, Any]]]:
    """(leads attributed to the campaign, value of those won per currency as
    `money.per_currency` gives it), merged-away leads left out. One query, a row per
    currency; a currency none of the won leads has is not listed."""
    rows = await Lead.raw(
        "SELECT currency, COUNT(*) AS n, SUM(CASE WHEN stage = 'won' THEN 1 ELSE 0 END) AS won,"
        " SUM(CASE WHEN stage = 'won' THEN value_cents ELSE 0 END) AS value_cents"
        " FROM lead WHERE campaign = {} AND merged_into IS NULL GROUP BY currency",
        campaign_id,
    )
    leads = sum(int(row["n"]) for row in rows)
    return leads, per_currency(row for row in rows if int(row["won"] or 0))


async def report_leads(start: datetime | None, end: datetime | None) -> list[dict[str, Any]]:
    """The leads a report covers (created in [start, end) when given), not merged away."""
    query = Lead.select(
        Lead.id,
        Lead.stage,
        Lead.value_cents,
        Lead.currency,
        Lead.source_channel,
        Lead.owner,
        Lead.owner.name.as_alias("owner_name"),
    ).where(Lead.merged_into.is_null())
    if start is not None:
        query = query.where(Lead.created_at >= start)
    if end is not None:
        query = query.where(Lead.created_at < end)
    return list(await query.order_by(Lead.id))


async def stage_events(lead_ids: list[int]) -> list[dict[str, Any]]:
    """The created and stage events of these leads, per lead in time order."""
    if not lead_ids:
        return []
    rows: list[dict[str, Any]] = []
    for start in range(0, len(lead_ids), 500):
        rows.extend(
            await LeadEvent.select(
                LeadEvent.id, LeadEvent.lead, LeadEvent.kind, LeadEvent.to_stage, LeadEvent.at
            ).where(
                LeadEvent.lead.is_in(lead_ids[start : start + 500]),
                LeadEvent.kind.is_in(["created", "stage"]),
            )
        )
    for row in rows:
        row["at"] = stored(row["at"])
    return sorted(rows, key=lambda r: (r["lead"], r["at"], r["id"]))
