"""Helpers of the rules tests: contacts, rules, running the outbox as the worker would."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from automation.rules import service as rules
from automation.rules.tables import RuleRun
from servicedesk.clock import utcnow
from servicedesk.customers.service import ContactIdentity
from servicedesk.outbox.tasks import deliver_due
from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import TicketEvent

CUSTOMER = "ann@mail.example"


async def contact(
    body: str = "hello",
    subject: str = "Help",
    email: str = CUSTOMER,
    ticket_id: int | None = None,
    now: datetime | None = None,
) -> int:
    thread = tickets.ThreadRef(ticket_id=ticket_id) if ticket_id else tickets.ThreadRef()
    ticket, _ = await tickets.receive_contact(
        contact=tickets.Contact(
            channel="email",
            identity=ContactIdentity(email=email),
            body=body,
            subject=subject,
            thread=thread,
        ),
        now=now,
    )
    return ticket


async def rule(**spec: Any) -> dict[str, Any]:
    spec.setdefault("name", "rule")
    spec.setdefault("trigger", {"events": ["ticket.created"]})
    return await rules.create_rule(data=spec)


async def work(now: datetime | None = None) -> dict[str, int]:
    """Delivers every due outbox row (events to the rules, emails to SMTP) until none is
    left, as the worker does."""
    total: dict[str, int] = {}
    while True:
        counts = await deliver_due(now=now or utcnow())
        if not counts:
            return total
        for k, v in counts.items():
            total[k] = total.get(k, 0) + v


async def audit(ticket_id: int) -> list[dict[str, Any]]:
    return (
        await TicketEvent.select().where(TicketEvent.ticket == ticket_id).order_by(TicketEvent.id)
    )


async def run_log(rule_id: int) -> list[dict[str, Any]]:
    return await rules.runs(rule_id=rule_id)


__all__ = ["RuleRun", "audit", "contact", "rule", "run_log", "work"]


async def desk_team() -> dict[str, int]:
    """Team Support with Alice (agent) and Lena (its lead); Bob, a lead of another team."""
    from servicedesk.accounts import service as accounts
    from tests.conftest import make_agent

    ids = {
        "alice": await make_agent("alice@desk.example", "agent", team="Support"),
        "lena": await make_agent("lena@desk.example", "lead", team="Support"),
        "bob": await make_agent("bob@desk.example", "lead", team="Sales"),
    }
    ids["team"] = await accounts.get_or_create_team(name="Support")
    return ids


async def worked_ticket(
    people: dict[str, int], *, email: str = CUSTOMER, status: str | None = None
) -> int:
    """A customer's ticket in team Support, assigned to Alice, answered in public, then
    put in `status` by her."""
    from servicedesk.actors import Actor

    alice = Actor.agent(people["alice"], "alice@desk.example")
    ticket_id = await contact(email=email, subject="Order 12 is late")
    await tickets.update_ticket(
        ticket_id=ticket_id,
        changes={"team_id": people["team"], "assignee_id": people["alice"]},
        actor=alice,
    )
    await tickets.add_agent_message(
        ticket_id=ticket_id, actor=alice, body="On its way", public=True
    )
    if status:
        await tickets.update_ticket(ticket_id=ticket_id, changes={"status": status}, actor=alice)
    return ticket_id


def automation_cli(*args: str) -> str:
    """`servicedesk automation ARGS` in a process of its own, with this run's environment."""
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", "automation", *args],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def tick(at: datetime) -> dict[str, Any]:
    import json

    return dict(json.loads(automation_cli("tick", "--now", at.isoformat())))
