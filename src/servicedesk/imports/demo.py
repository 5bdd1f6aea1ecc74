"""A generated history in the import format (docs/import-format.md): agents, customers,
then tickets with replies, notes, pending, solves, reopens, repeat contacts, CSAT and NPS.
The demo loads one (servicedesk.demo); bench/reports.py and the contract test generate
theirs with it."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
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
