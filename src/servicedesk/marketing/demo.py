"""The demo's marketing (called by servicedesk.demo): consent, two segments and a sent
campaign."""

from __future__ import annotations

from datetime import datetime

from servicedesk.actors import Actor
from servicedesk.customers.tables import Customer

from . import campaigns
from . import service as marketing
from .schemas import Conditions


async def demo_marketing(*, now: datetime) -> None:
    """Marketing consent for seven customers in ten (as if given in a web form), two
    segments and a thank-you campaign to the promoters, sent (queued in the outbox)."""
    actor = Actor("system", label="demo")
    ids = [int(row["id"]) for row in await Customer.select(Customer.id).order_by(Customer.id)]
    await marketing.set_consent(
        customer_ids=[c for c in ids if c % 10 < 7],
        consent=True,
        source="form",
        actor=actor,
        now=now,
    )
    segments = {}
    for name, nps in (("Promoters", "promoter"), ("Detractors", "detractor")):
        conditions = Conditions.model_validate(
            {"all": [{"field": "customer.nps_category", "op": "is", "value": nps}]}
        )
        segments[name] = await marketing.create_segment(
            name=name, conditions=conditions, actor=actor, now=now
        )
    thanks = await campaigns.create_campaign(
        name="Thank you, promoters",
        segment_id=segments["Promoters"],
        subject="Thank you, {{ customer.first_name }}",
        body="Dear {{ customer.name }},\n\nthank you for recommending us. Would you tell"
        " others in a review?",
        send_at=None,
        actor=actor,
        now=now,
    )
    await campaigns.send_campaign(campaign_id=thanks, actor=actor, now=now)
