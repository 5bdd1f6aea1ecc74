"""`servicedesk campaign send ID`: queue a campaign from the command line."""

from __future__ import annotations

import json

import click

from servicedesk.commands import fail, run


@click.group()
def campaign() -> None:
    """Marketing campaigns."""


@campaign.command("send")
@click.argument("campaign_id", type=int)
def campaign_send(campaign_id: int) -> None:
    """Queue a campaign now: each member of its segment is decided once (a second run only
    adds new members); the worker delivers the emails."""
    from servicedesk.actors import Actor
    from servicedesk.clock import utcnow
    from servicedesk.errors import DomainError
    from servicedesk.marketing import campaigns

    async def send() -> dict[str, int]:
        return await campaigns.send_campaign(
            campaign_id=campaign_id, actor=Actor("system", label="cli"), now=utcnow()
        )

    try:
        counts = run(send)
    except DomainError as exc:
        fail(exc.detail)
        return
    print(json.dumps(counts))
