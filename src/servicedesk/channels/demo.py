"""The demo's tickets from the web form, chat and social doors and the phone (called by
servicedesk.demo): they come in through the same services the doors call, signed like a
bridge's posts; calls are logged as an agent or reported as by a CTI system."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

from servicedesk.accounts import service as accounts
from servicedesk.actors import SYSTEM, Actor
from servicedesk.customers.service import ContactIdentity
from servicedesk.outbox.http import signature
from servicedesk.tickets import service as tickets

from . import form, messaging, phone

FORMS = [
    (
        "Grace Hopper",
        "grace.form@mail.example",
        "Bulk pricing for 40 seats",
        "Do you offer a discount for 40 seats on the yearly plan?",
        {"interest": "pricing"},
    ),
    (
        "Alan Turing",
        "alan.form@mail.example",
        "Order arrived incomplete",
        "The order arrived without the charger.",
        {"order_number": "A-3117", "interest": "support"},
    ),
]
CONVERSATIONS = [
    (
        "chat",
        "widget",
        "chat-7f3a",
        "@visitor-4411",
        "Linus",
        [
            "Hi! Is the blue model back in stock?",
            "I mean the 13 inch one.",
        ],
    ),
    (
        "social",
        "mastodon",
        "toot-99812",
        "@margaret@hachyderm.io",
        "Margaret H.",
        [
            "@desk my invoice shows the wrong VAT number, can you fix it?",
        ],
    ),
]

DOOR_TICKETS = len(FORMS) + len(CONVERSATIONS)  # one ticket per post, per conversation


async def demo_doors(*, now: datetime, team: str) -> None:
    """Two web form posts, a chat conversation of two messages and a social mention, each
    ticket routed to the first-line team (`team`) as the demo's other tickets are."""
    opened: set[int] = set()
    for minutes, (name, email, subject, message, fields) in enumerate(FORMS):
        post = form.FormPost(
            name=name, email=email, subject=subject, message=message, fields=fields
        )
        at = now - timedelta(hours=3, minutes=-10 * minutes)
        ticket_id = await form.receive_form(post=post, ip="demo", origin=None, now=at)
        opened.add(ticket_id or 0)
    for kind, platform, conversation, handle, display, texts in CONVERSATIONS:
        _, secret = await messaging.create_integration(
            kind=kind, platform=platform, name=f"Demo {platform}", reply_url=None, now=now
        )
        for n, text in enumerate(texts):
            raw = json.dumps(
                {
                    "platform": platform,
                    "conversation_id": conversation,
                    "message_id": f"{conversation}-{n}",
                    "handle": handle,
                    "display_name": display,
                    "text": text,
                }
            ).encode()
            header = signature(secret, raw, int(time.time()))
            received = await messaging.receive_message(
                kind=kind, raw=raw, signature=header, now=now - timedelta(minutes=30 - n)
            )
            opened.add(received.ticket_id)
    team_id = await accounts.get_or_create_team(name=team)
    for ticket_id in sorted(opened - {0}):
        await tickets.update_ticket(
            ticket_id=ticket_id, changes={"team_id": team_id}, actor=SYSTEM, now=now, quiet=True
        )


async def demo_calls(*, now: datetime, actor: Actor, team_id: int) -> None:
    """Phone tickets with logged calls (a caller, a callback, a missed call) and a CTI call
    with its recording, routed to `team_id` as the history's tickets are."""

    async def route(ticket_id: int, at: datetime) -> None:
        changes = {"team_id": team_id}
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
