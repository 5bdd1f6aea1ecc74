"""Demo leads (called by servicedesk.demo): a Sales team of two, about twenty leads of the
demo's customers across the stages, with values and a history spread over the past weeks,
some won and lost, and a few attributed to the demo campaign."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from servicedesk.accounts import service as accounts
from servicedesk.actors import Actor
from servicedesk.clock import as_utc
from servicedesk.marketing.tables import CampaignRecipient
from servicedesk.tickets.tables import Ticket

from . import service
from .tables import Lead

SALES_USERS = [
    ("sales1@desk.example", "Sam Sales"),
    ("sales2@desk.example", "Sue Sales"),
]
# Where each demo lead ends: its path through the pipeline.
PATHS = [
    ["qualified", "proposal", "won"],
    ["qualified", "won"],
    ["lost"],
    ["qualified", "lost"],
    ["qualified", "proposal"],
    ["qualified"],
    [],
]


async def load_demo_leads(*, now: datetime, password: str, seed: int = 3) -> int:
    """Creates the Sales team and the demo's leads through the sales service; returns how
    many leads there are."""
    rng = random.Random(seed)
    for email, name in SALES_USERS:
        await accounts.create_agent(
            email=email, name=name, role="agent", team="Sales", password=password
        )
    tickets = (
        await Ticket.select(Ticket.id, Ticket.customer, Ticket.created_at)
        .where(Ticket.created_at < now - timedelta(days=20))
        .order_by(Ticket.id)
        .limit(400)
    )
    firsts: dict[int, tuple[int, datetime]] = {}
    for row in tickets:
        firsts.setdefault(int(row["customer"]), (int(row["id"]), as_utc(row["created_at"])))
    robot = Actor("rule", label="rule: Pricing, quote or demo request creates a sales lead")
    for ticket_id, opened in list(firsts.values())[:20]:
        start = opened + timedelta(hours=rng.randint(1, 12))
        captured = await service.create_lead(
            actor=robot,
            now=start,
            ticket_id=ticket_id,
            value=rng.randrange(5, 200) * 100,
            team="Sales",
        )
        lead = await Lead.select(Lead.owner).where(Lead.id == captured.lead_id).first()
        seller = Actor.agent(int(lead["owner"]), "sales", "agent") if lead else robot
        at = start
        for stage in rng.choice(PATHS):
            at += timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 8))
            if at >= now:
                break
            reason = "Chose a competitor" if stage == "lost" else None
            await service.set_stage(
                lead_id=captured.lead_id, stage=stage, actor=seller, now=at, lost_reason=reason
            )
    await _campaign_leads(now=now, actor=robot)
    return int(await Lead.count())


async def _campaign_leads(*, now: datetime, actor: Actor) -> None:
    """Three leads of the demo campaign's recipients, a day after it. The demo sends no
    email (no SMTP server), so the campaign never reaches anyone: these leads are
    attributed to it as they would be once it had."""
    recipients = (
        await CampaignRecipient.select(CampaignRecipient.campaign, CampaignRecipient.customer)
        .where(CampaignRecipient.status == "queued")
        .order_by(CampaignRecipient.id)
    )
    taken = 0
    for row in recipients:
        if taken == 3:
            break
        captured = await service.create_lead(
            actor=actor,
            now=now + timedelta(seconds=taken + 1),
            customer_id=int(row["customer"]),
            value=2500,
            team="Sales",
        )
        if not captured.created:
            continue
        await Lead.update({Lead.campaign: row["campaign"]}).where(Lead.id == captured.lead_id)
        if taken == 0:
            await service.set_stage(
                lead_id=captured.lead_id, stage="won", actor=actor, now=now + timedelta(minutes=5)
            )
        taken += 1
