"""SLA test helpers: policies, teams with business hours, and a ticket's SLA facts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from servicedesk.accounts import service as accounts
from servicedesk.actors import Actor
from servicedesk.sla import service as sla
from tests.servicedesk.cx.conftest import contact, facts_of

ADMIN = Actor("agent", 1, "admin", role="admin")
FRIDAY_4PM = datetime(2026, 1, 9, 16, 0, tzinfo=UTC)
MONDAY_9AM = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
OFFICE_HOURS = {
    "timezone": "UTC",
    "hours": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
}


async def make_policy(
    *,
    name: str = "Standard",
    targets: dict[str, dict[str, int]] | None = None,
    channel: str | None = None,
    team_id: int | None = None,
    business_hours: bool = False,
) -> int:
    return await sla.create_policy(
        values={
            "name": name,
            "channel": channel,
            "team_id": team_id,
            "business_hours": business_hours,
            "targets": targets
            or {"normal": {"first_response": 60, "next_reply": 60, "resolution": 480}},
        },
        actor=ADMIN,
        now=MONDAY_9AM,
    )


async def office_team(name: str = "Support") -> int:
    team_id = await accounts.get_or_create_team(name=name)
    await accounts.update_team(team_id=team_id, name=None, schedule=OFFICE_HOURS)
    return team_id


async def sla_of(ticket_id: int) -> dict[str, Any]:
    """The ticket's SLA facts, with due times in UTC."""
    facts = await facts_of(ticket_id)
    due = facts["sla_due_at"]
    return {
        **{k: v for k, v in facts.items() if k.startswith("sla_")},
        "sla_due_at": due.astimezone(UTC) if due else None,
    }


__all__ = ["contact"]
