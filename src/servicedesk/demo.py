"""Demo data: a realistic history generated in the import format and loaded through the
importer (and so through the same ticket services as live traffic)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

CHANNELS = [
    "email",
    "email",
    "email",
    "web",
    "chat",
    "chat",
    "phone",
    "phone",
    "social",
    "in_person",
    "api",
]
TEAMS = ["Tier 1", "Billing"]
# Tickets are routed by topic: money questions to Billing, the rest to Tier 1.
BILLING_SUBJECTS = {
    "Refund for order {n}",
    "Invoice {n} is wrong",
    "How do I cancel?",
    "Discount code not working",
}
DAYS = 90  # of history before now
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
SUBJECTS = [
    "Where is my order {n}?",
    "Refund for order {n}",
    "Cannot log in",
    "Invoice {n} is wrong",
    "Change my delivery address",
    "Damaged item in order {n}",
    "How do I cancel?",
    "Discount code not working",
]


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


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def generate_history(
    *,
    customers: int,
    tickets: int,
    end: datetime,
    days: int = DAYS,
    agents: int = 6,
    seed: int = 7,
    nps_share: float = 0.3,
) -> Iterator[dict[str, Any]]:
    """Yields import lines: agents, customers, then tickets spread over `days` before `end`,
    with replies, notes, pending, solves, reopens, repeat contacts and CSAT; bounded memory."""
    rng = random.Random(seed)
    agent_emails = [f"agent{i}@desk.example" for i in range(1, agents + 1)]
    team_agents: dict[str, list[str]] = {team: [] for team in TEAMS}
    for i, email in enumerate(agent_emails):
        team_agents[TEAMS[i % len(TEAMS)]].append(email)
        yield {
            "type": "agent",
            "email": email,
            "name": f"Agent {i + 1}",
            "team": TEAMS[i % len(TEAMS)],
        }
    for c in range(1, customers + 1):
        yield {
            "type": "customer",
            "external_id": f"c-{c:06d}",
            "email": f"customer{c}@mail.example",
            "name": f"Customer {c}",
            # Distinct for every customer (area codes 1632, 1633, ... past 100,000).
            "phone": f"+44{1632 + c // 100000}9{c % 100000:05d}",
        }
    start = end - timedelta(days=days)
    step = (end - start) / max(tickets, 1)
    for t in range(tickets):
        created = start + step * t + timedelta(minutes=rng.randint(0, 30))
        yield _ticket(rng, t + 1, created, rng.randint(1, customers), team_agents, end)
    for c in range(1, customers + 1):
        if rng.random() < nps_share:
            at = start + timedelta(seconds=rng.randint(0, int((end - start).total_seconds()) - 1))
            score = rng.choices(range(11), weights=[1, 1, 1, 1, 2, 2, 3, 5, 7, 8, 7])[0]
            yield {
                "type": "nps_response",
                "customer": f"c-{c:06d}",
                "at": _iso(at),
                "score": score,
                "comment": rng.choice(["", "", "Great support", "Slow answers", "Friendly team"]),
            }


def _ticket(
    rng: random.Random,
    number: int,
    created: datetime,
    customer: int,
    team_agents: dict[str, list[str]],
    end: datetime,
) -> dict[str, Any]:
    channel = rng.choice(CHANNELS)
    subject = rng.choice(SUBJECTS)
    team = "Billing" if subject in BILLING_SUBJECTS else "Tier 1"
    agent = rng.choice(team_agents[team] or [a for agents in team_agents.values() for a in agents])
    replied = False
    at = created
    events: list[dict[str, Any]] = [
        {
            "at": _iso(at),
            "kind": "message",
            "direction": "inbound",
            "channel": channel,
            "body": f"Hello, I need help with order {number}.",
        }
    ]

    def later(max_minutes: int) -> str | None:
        nonlocal at
        at = at + timedelta(minutes=rng.randint(1, max_minutes))
        return _iso(at) if at < end else None

    def add(max_minutes: int, **event: Any) -> bool:
        when = later(max_minutes)
        if when is None:
            return False
        events.append({"at": when, **event})
        return True

    def reply() -> bool:
        nonlocal replied
        replied = True
        return add(
            600,
            kind="message",
            direction="outbound",
            author=agent,
            public=True,
            channel=channel,
            body="Thanks for your message, here is what we can do.",
        )

    ok = add(120, kind="assign", agent=agent)
    if ok and rng.random() < 0.2:
        ok = add(60, kind="note", author=agent, body="Checking with the warehouse.")
    if ok and rng.random() < 0.95:
        ok = reply()
    if ok and rng.random() < 0.25:
        ok = (
            add(300, kind="status", status="pending", by=agent)
            and add(
                2000,
                kind="message",
                direction="inbound",
                channel=channel,
                body="Here are the details.",
            )
            and reply()
        )

    def survey() -> bool:
        """The CSAT survey of a solve, as the desk sends it: only after a public reply, and
        not to everyone (no email address, surveyed recently)."""
        return replied and rng.random() < 0.9 and add(30, kind="survey")

    if ok and rng.random() < 0.85:
        ok = add(600, kind="status", status="solved", by=agent)
        surveyed = ok and survey()
        if ok and rng.random() < 0.1:
            ok = (
                add(
                    3000,
                    kind="message",
                    direction="inbound",
                    channel=channel,
                    body="It is still not working.",
                )
                and reply()
                and add(600, kind="status", status="solved", by=agent)
            )
            surveyed = ok and survey()
        # About 4 in 10 surveys are answered, so the demo shows a response rate like a
        # real desk's (30-50 %) beside its CSAT.
        if surveyed and rng.random() < 0.42:
            add(
                2000,
                kind="csat",
                rating=rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 6])[0],
                comment=rng.choice([None, "Quick and kind", "Took too long", "Solved my problem"]),
            )
    return {
        "type": "ticket",
        "external_id": f"demo-{number:07d}",
        "customer": f"c-{customer:06d}",
        "subject": subject.format(n=number),
        "team": team,
        "channel": channel,
        "created_at": events[0]["at"],
        "priority": rng.choice(["low", "normal", "normal", "high", "urgent"]),
        "tags": rng.sample(["billing", "delivery", "account", "vip", "bug"], k=rng.randint(0, 2)),
        "events": events,
    }


def write_history(path: Path, **kwargs: Any) -> int:
    lines = 0
    with path.open("w", encoding="utf-8") as out:
        for line in generate_history(**kwargs):
            out.write(json.dumps(line) + "\n")
            lines += 1
    return lines


async def load_demo(*, customers: int, tickets: int, seed: int, path: Path | None = None) -> str:
    """Loads the demo once: team schedules and sign-in accounts, then a generated history
    (written to `path`, by default var/demo-history.jsonl) through the importer."""
    from servicedesk.accounts import service as accounts
    from servicedesk.actors import SYSTEM
    from servicedesk.channels.demo import demo_doors
    from servicedesk.cx.business_hours import Schedule
    from servicedesk.imports.service import import_file
    from servicedesk.settings import VAR_DIR, get_settings
    from servicedesk.sla import service as sla

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
    await _demo_marketing(now=end)
    from servicedesk.sales.demo import load_demo_leads

    await load_demo_leads(now=end, password=DEMO_PASSWORD)
    # web form, chat and social tickets (servicedesk.channels)
    await demo_doors(now=end, team="Tier 1")
    await _demo_phone_and_duplicates(now=end)
    await _demo_journeys(now=end)  # last: every customer of the demo has a journey
    return f"demo data loaded: {report.imported}\n{ready}"


async def _demo_marketing(*, now: datetime) -> None:
    """Marketing consent for seven customers in ten (as if given in a web form), two
    segments and a thank-you campaign to the promoters, sent (queued in the outbox)."""
    from servicedesk.actors import Actor
    from servicedesk.customers.tables import Customer
    from servicedesk.marketing import campaigns
    from servicedesk.marketing import service as marketing
    from servicedesk.marketing.schemas import Conditions

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
    from servicedesk import writes
    from servicedesk.customers.journey import stages
    from servicedesk.customers.tables import Customer, JourneyChange

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


async def _demo_phone_and_duplicates(*, now: datetime) -> None:
    """Phone tickets with logged calls (a caller, a callback, a missed call, a CTI call
    with its recording) and a pair of likely duplicates: one person with two records at
    her company's domain, each with a ticket (the profile suggests merging them)."""
    from servicedesk.accounts import service as accounts
    from servicedesk.actors import Actor
    from servicedesk.channels import phone
    from servicedesk.customers.service import ContactIdentity
    from servicedesk.tickets import service as tickets

    agent = await accounts.find_agent_by_email(email="agent1@desk.example")
    assert agent is not None
    actor = Actor.agent(agent["id"], agent["email"], agent["role"])
    tier1 = await accounts.get_or_create_team(name="Tier 1")

    async def route(ticket_id: int, at: datetime) -> None:  # as the history's tickets are
        changes = {"team_id": tier1}
        await tickets.update_ticket(ticket_id=ticket_id, changes=changes, actor=actor, now=at)

    for n, (number, name) in enumerate(
        [("+442079460101", "Priya Patel"), ("+442079460102", "Tom Baker")], start=1
    ):
        ticket_id = (
            await tickets.receive_contact(
                contact=tickets.Contact(
                    channel="phone",
                    identity=ContactIdentity(phone=number, name=name),
                    subject="Billing question by phone",
                    body="Asked why the March invoice is higher.",
                ),
                now=now - timedelta(hours=5 * n),
            )
        )[0]
        await route(ticket_id, now - timedelta(hours=5 * n))
        await phone.log_call(
            ticket_id=ticket_id,
            call=phone.Call(
                direction="outbound",
                started_at=now - timedelta(hours=5 * n - 1),
                duration_seconds=240 + 60 * n,
                outcome="answered" if n == 1 else "no_answer",
                notes="Explained the pro-rata charge." if n == 1 else "",
            ),
            actor=actor,
            now=now - timedelta(hours=5 * n - 1),
        )
    started = now - timedelta(minutes=40)
    cti = await phone.call_started(
        call_id="demo-cti-1",
        caller="020 7946 0103",
        to="+442079460000",
        started_at=started,
        now=started,
    )
    await route(cti.ticket_id, started)
    await phone.call_ended(
        call_id="demo-cti-1",
        duration=185,
        outcome="answered",
        recording_url="https://pbx.example/recordings/demo-cti-1.mp3",
        now=started + timedelta(seconds=185),
    )
    for email, subject, hours in (
        ("ann.kowalski@acme.example", "Invoice 2026-031 charged twice", 30),
        ("a.kowalski@acme.example", "Change our delivery address", 8),
    ):
        ticket_id, _ = await tickets.receive_contact(
            contact=tickets.Contact(
                channel="email",
                identity=ContactIdentity(email=email, name="Ann Kowalski"),
                subject=subject,
                body=subject + ".",
            ),
            now=now - timedelta(hours=hours),
        )
        await route(ticket_id, now - timedelta(hours=hours))
