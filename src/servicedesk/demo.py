"""The demo (`servicedesk demo`): team schedules, sign-in accounts and an SLA policy, a
generated history loaded through the importer (and so through the same ticket services as
live traffic), then each domain's demo parts: marketing, leads, the doors and phone calls,
a likely duplicate and customer journeys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from servicedesk import writes
from servicedesk.accounts import service as accounts
from servicedesk.actors import SYSTEM, Actor
from servicedesk.channels.demo import demo_calls, demo_doors
from servicedesk.customers.journey import stages
from servicedesk.customers.service import ContactIdentity
from servicedesk.customers.tables import Customer, JourneyChange
from servicedesk.cx.business_hours import Schedule
from servicedesk.imports.demo import DAYS, write_history
from servicedesk.imports.service import import_file
from servicedesk.marketing.demo import demo_marketing
from servicedesk.sales.demo import load_demo_leads
from servicedesk.settings import VAR_DIR, get_settings
from servicedesk.sla import service as sla
from servicedesk.tickets import service as ticket_service

DEMO_PASSWORD = "demo-password"
DEMO_USERS = [
    ("admin@desk.example", "Ada Admin", "admin", "Tier 1"),
    ("lead@desk.example", "Lee Lead", "lead", "Tier 1"),
    ("agent1@desk.example", "Agent 1", "agent", "Tier 1"),  # also an agent of the history
]
# Calendar-hour targets in minutes, so the imported history shows met and missed ones.
DEMO_SLA_POLICY: dict[str, Any] = {
    "name": "Standard",
    "targets": {
        "urgent": {"first_response": 60, "next_reply": 120, "resolution": 480},
        "high": {"first_response": 120, "next_reply": 240, "resolution": 1440},
        "normal": {"first_response": 240, "next_reply": 480, "resolution": 2880},
        "low": {"first_response": 480, "next_reply": 1440, "resolution": 4320},
    },
}


def team_schedules(start: datetime, end: datetime) -> dict[str, dict[str, Any]]:
    """The teams' business hours (docs/metrics.md), different enough that the same history
    gives each team other business-hours figures: Tier 1 in London, long weekdays and
    Saturday mornings; Billing in Berlin, office hours with a lunch break. Holidays of
    the years the history covers."""
    years = range(start.year, end.year + 1)
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    return {
        "Tier 1": {
            "timezone": "Europe/London",
            "hours": {**{d: [["08:00", "20:00"]] for d in weekdays}, "sat": [["09:00", "13:00"]]},
            "holidays": [f"{y}-{md}" for y in years for md in ("01-01", "12-25", "12-26")],
        },
        "Billing": {
            "timezone": "Europe/Berlin",
            "hours": {d: [["09:00", "12:30"], ["13:30", "17:00"]] for d in weekdays},
            "holidays": [
                f"{y}-{md}" for y in years for md in ("01-01", "05-01", "10-03", "12-25", "12-26")
            ],
        },
    }


async def load_demo(*, customers: int, tickets: int, seed: int, path: Path | None = None) -> str:
    """Loads the demo once: team schedules and sign-in accounts, then a generated history
    (written to `path`, by default var/demo-history.jsonl) through the importer."""
    logins = "\n".join(f"  {email} / {DEMO_PASSWORD} ({role})" for email, _, role, _ in DEMO_USERS)
    ready = f"Open {get_settings().base_url} and sign in as:\n{logins}"
    if await accounts.find_agent_by_email(email=DEMO_USERS[0][0]):
        return "demo data already loaded.\n" + ready
    end = datetime.now(UTC).replace(microsecond=0)
    # Before the history: business hours are worked out with the team's schedule as each
    # ticket is answered and solved.
    for team, schedule in team_schedules(end - timedelta(days=DAYS), end).items():
        await accounts.update_team(
            team_id=await accounts.get_or_create_team(name=team),
            name=None,
            schedule=Schedule.from_json(schedule).to_json(),
        )
    for email, name, role, team in DEMO_USERS:
        await accounts.create_agent(
            email=email, name=name, role=role, team=team, password=DEMO_PASSWORD
        )
    await sla.create_policy(values=DEMO_SLA_POLICY, actor=SYSTEM, now=datetime.now(UTC))
    if path is None:
        VAR_DIR.mkdir(exist_ok=True)
        path = VAR_DIR / "demo-history.jsonl"
    write_history(
        path,
        customers=customers,
        tickets=tickets,
        end=end,
        days=DAYS,
        seed=seed,
    )
    report = await import_file(path)
    await demo_marketing(now=end)
    await load_demo_leads(now=end, password=DEMO_PASSWORD)
    # web form, chat and social tickets, and phone calls (servicedesk.channels)
    await demo_doors(now=end, team="Tier 1")
    agent = await accounts.find_agent_by_email(email="agent1@desk.example")
    assert agent is not None
    actor = Actor.agent(agent["id"], agent["email"], agent["role"])
    tier1 = await accounts.get_or_create_team(name="Tier 1")
    await demo_calls(now=end, actor=actor, team_id=tier1)
    await _demo_duplicates(now=end, actor=actor, team_id=tier1)
    await _demo_journeys(now=end)  # last: every customer of the demo has a journey
    return f"demo data loaded: {report.imported}\n{ready}"


async def _demo_duplicates(*, now: datetime, actor: Actor, team_id: int) -> None:
    """A pair of likely duplicates: one person with two records at her company's domain,
    each with a ticket (the profile suggests merging them), routed as the history's are."""
    for email, subject, hours in (
        ("ann.kowalski@acme.example", "Invoice 2026-031 charged twice", 30),
        ("a.kowalski@acme.example", "Change our delivery address", 8),
    ):
        at = now - timedelta(hours=hours)
        ticket_id, _ = await ticket_service.receive_contact(
            contact=ticket_service.Contact(
                channel="email",
                identity=ContactIdentity(email=email, name="Ann Kowalski"),
                subject=subject,
                body=subject + ".",
            ),
            now=at,
        )
        changes = {"team_id": team_id}
        await ticket_service.update_ticket(
            ticket_id=ticket_id, changes=changes, actor=actor, now=at
        )


# Journeys of the demo customers: the stages each one went through (indexes into the
# default stages), chosen by the customer's id, so the funnel report has every figure.
DEMO_PATHS = (
    (0,),
    (0, 1),
    (0, 1, 2),
    (0, 1, 2, 3),
    (0, 1, 2, 3, 4),
    (0, 1, 2, 3, 4, 5),
    (0, 1, 2, 3, 4, 6),
    (0, 1, 2, 3, 4, 6, 7),
    (0, 7),
    (1, 2, 3, 5),
)


async def _demo_journeys(*, now: datetime) -> None:
    """Journey stages and their history on the demo customers: a few steps each over the
    demo's days (by the importer, then by agents' hands), written in bulk."""
    names = stages()
    ids = [int(row["id"]) for row in await Customer.select(Customer.id).order_by(Customer.id)]
    rows: list[dict[str, Any]] = []
    final: dict[str, list[int]] = {}
    for customer_id in ids:
        path = [names[i] for i in DEMO_PATHS[customer_id % len(DEMO_PATHS)] if i < len(names)]
        at = now - timedelta(days=DAYS - customer_id % 17, hours=customer_id % 24)
        step = timedelta(days=1 + customer_id % 9)
        previous = None
        for index, stage in enumerate(path):
            rows.append(
                {
                    "customer": customer_id,
                    "from_stage": previous,
                    "to_stage": stage,
                    "source": "import" if index == 0 else "agent",
                    "actor_agent": None,
                    "actor_label": "demo",
                    "created_at": min(at + index * step, now),
                }
            )
            previous = stage
        if previous:
            final.setdefault(previous, []).append(customer_id)
    await writes.insert_many(JourneyChange, rows)
    for stage, members in final.items():
        for start in range(0, len(members), 500):  # SQLite bounds a statement's parameters
            part = members[start : start + 500]
            await Customer.update({Customer.journey_stage: stage}).where(Customer.id.is_in(part))
