"""Two `servicedesk serve` processes on one database (the tests' engine: a SQLite file in WAL
mode with a busy timeout, or PostgreSQL) under the contact load of bench/contacts.py, for a
few seconds: the app keeps no state of its own, so two servers must behave as one.

The clients race where a scaled-out desk races: the same few customers write to both servers
at once (identifying a new customer), chat contacts continue their customer's conversation
(threading into one ticket by external id), and retried requests carry the same
Idempotency-Key to both servers at the same moment. Afterwards every contact a client was
told was accepted is in the database exactly once, and nothing else is."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from servicedesk.accounts import service as accounts
from servicedesk.customers.tables import Customer, CustomerIdentity
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.tickets.tables import IdempotencyKey, Interaction, Ticket
from tests.conftest import make_agent
from tests.contact_load import Connection, contact
from tests.servers import served_together

PLAIN_CLIENTS = 12  # half on each server, one keep-alive connection each
KEYED_CLIENTS = 4  # each sends every request to both servers at once, with one key
SECONDS = 3.0  # and at least EACH requests per client, however slow the machine
EACH = 3
CUSTOMERS = 10  # few, so that both servers keep meeting the same new customers


@dataclass
class Answer:
    server: int
    status: str  # the status code, or the exception's name
    body: dict[str, Any]
    sent: dict[str, Any]
    key: str | None = None


def identity_key(sent: dict[str, Any]) -> str:
    """The customer_identity key the contact identifies its sender by."""
    (kind, value), *_ = ((k, v) for k, v in sent["customer"].items() if k != "name")
    return f"{kind}:{value}"


def next_contact(rng: random.Random, serial: int) -> dict[str, Any]:
    """The benchmark's contact; a chat continues its customer's conversation."""
    body = contact(rng, CUSTOMERS, serial)
    if body["channel"] == "chat":
        body["thread"] = {"external_id": f"conversation-{body['customer']['email']}"}
    return body


async def post(
    connection: Connection, server: int, sent: dict[str, Any], key: str | None = None
) -> Answer:
    headers = {"Idempotency-Key": key} if key else None
    try:
        status, raw = await connection.send(json.dumps(sent).encode(), headers)
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        await connection.close()
        return Answer(server, type(exc).__name__, {}, sent, key)
    body = json.loads(raw) if raw else {}
    return Answer(server, str(status), body, sent, key)


async def race(base_urls: list[str], token: str) -> list[Answer]:
    """Runs the clients for SECONDS, each for EACH requests at least; every request started
    is answered before this returns."""
    answers: list[Answer] = []
    stop_at = time.monotonic() + SECONDS

    def connect(server: int) -> Connection:
        url = urlparse(base_urls[server])
        assert url.hostname and url.port
        return Connection(
            url.hostname, url.port, f"Bearer {token}", "/api/contacts", "application/json"
        )

    async def plain(index: int) -> None:
        rng, server = random.Random(index), index % 2
        connection = connect(server)
        serial = first = index * 1_000_000
        while serial < first + EACH or time.monotonic() < stop_at:
            serial += 1
            answers.append(await post(connection, server, next_contact(rng, serial)))
        await connection.close()

    async def keyed(index: int) -> None:
        rng = random.Random(1000 + index)
        connections = [connect(0), connect(1)]
        serial = first = (PLAIN_CLIENTS + index) * 1_000_000
        while serial < first + EACH or time.monotonic() < stop_at:
            serial += 1
            sent, key = next_contact(rng, serial), f"retry-{serial}"
            answers.extend(
                await asyncio.gather(*(post(c, n, sent, key) for n, c in enumerate(connections)))
            )
        for connection in connections:
            await connection.close()

    await asyncio.gather(
        *(plain(i) for i in range(PLAIN_CLIENTS)), *(keyed(i) for i in range(KEYED_CLIENTS))
    )
    return answers


async def test_two_servers_on_one_database_accept_every_contact_exactly_once() -> None:
    admin = await make_agent("admin@desk.example", "admin")
    token = await accounts.create_api_token(agent_id=admin, name="load")
    with served_together(2) as base_urls:
        answers = await race(base_urls, token)

    failed = [(a.server, a.status, a.body) for a in answers if a.status != "201"]
    assert not failed, f"{len(failed)} of {len(answers)} requests failed: {failed[:5]}"
    assert {a.server for a in answers} == {0, 1}
    by_key: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        if answer.key:
            by_key[answer.key].append(answer)
    assert len(by_key) >= EACH * KEYED_CLIENTS

    # The same key sent to both servers at once: one made the contact, the other was told
    # the first one's result.
    for key, pair in by_key.items():
        assert sorted(a.body["replayed"] for a in pair) == [False, True], key
        first_answer, second_answer = (a.body for a in pair)
        assert first_answer["ticket"]["id"] == second_answer["ticket"]["id"], key
        assert first_answer["interaction"]["id"] == second_answer["interaction"]["id"], key
    made = [a for a in answers if not a.body["replayed"]]
    assert len(made) == len(answers) - len(by_key)

    # Every accepted contact is in the database exactly once, and nothing else is.
    interactions = await Interaction.select(
        Interaction.id, Interaction.ticket, Interaction.customer
    )
    assert sorted(i["id"] for i in interactions) == sorted(
        a.body["interaction"]["id"] for a in made
    )
    ticket_of = {i["id"]: i["ticket"] for i in interactions}
    assert all(ticket_of[a.body["interaction"]["id"]] == a.body["ticket"]["id"] for a in made)
    tickets = await Ticket.select(Ticket.id, Ticket.external_id, Ticket.customer)
    assert {t["id"] for t in tickets} == {a.body["ticket"]["id"] for a in made}

    # One customer per identity, whichever server met them first.
    customer_of: dict[str, set[int]] = defaultdict(set)
    for answer in made:
        customer_of[identity_key(answer.sent)].add(answer.body["ticket"]["customer"]["id"])
    assert all(len(ids) == 1 for ids in customer_of.values()), customer_of
    identities = await CustomerIdentity.select(CustomerIdentity.key, CustomerIdentity.customer)
    assert {i["key"]: {i["customer"]} for i in identities} == customer_of
    assert await Customer.count() == len(customer_of)

    # One ticket per chat conversation: every chat of a customer threaded into it.
    conversations: dict[str, set[int]] = defaultdict(set)
    for answer in made:
        if "thread" in answer.sent:
            conversations[answer.sent["thread"]["external_id"]].add(answer.body["ticket"]["id"])
    assert conversations and all(len(ids) == 1 for ids in conversations.values())
    assert {t["external_id"]: {t["id"]} for t in tickets if t["external_id"]} == conversations

    # One stored key per keyed request, naming the contact both answers named.
    stored = await IdempotencyKey.select(IdempotencyKey.key, IdempotencyKey.response).output(
        load_json=True
    )
    assert len(stored) == len(by_key)
    for row in stored:
        pair = by_key[row["key"].split(":", 1)[1]]
        assert row["response"]["interaction_id"] == pair[0].body["interaction"]["id"]

    # The outbox: exactly one ticket.created per ticket, one message.received per contact
    # that followed up an existing ticket.
    events = await OutboxMessage.select(OutboxMessage.topic, OutboxMessage.ticket).where(
        OutboxMessage.kind == "event"
    )
    created = Counter(e["ticket"] for e in events if e["topic"] == "ticket.created")
    assert created == Counter({t["id"]: 1 for t in tickets})
    received = [e for e in events if e["topic"] == "message.received"]
    assert len(received) == len(made) - len(tickets)
