"""Surveys end to end: the API solves, the outbox mails a real SMTP server, the customer
answers through the public survey API, and the reports and the customer profile show it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest

from servicedesk.clock import utcnow
from servicedesk.customers.service import ContactIdentity, find_or_create_customer
from servicedesk.customers.tables import Customer
from servicedesk.cx.surveys import link_token
from servicedesk.cx.tables import Survey
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.outbox.tasks import deliver_due
from servicedesk.settings import get_settings
from tests.conftest import app_client, make_agent, sign_in
from tests.smtp import SmtpServer

CSAT_SUBJECT = "How did we do?"
NPS_SUBJECT = "A quick question"
LINK = re.compile(r"/survey/(?P<token>[^?\s]+)\?rating=(?P<rating>\d+)")


@dataclass
class Desk:
    agent: httpx.AsyncClient  # Alice, who works the tickets
    lead: httpx.AsyncClient  # Lena, who reads the reports and sends NPS
    public: httpx.AsyncClient  # the customer's browser: no login

    async def contact(
        self, *, email: str = "carol@mail.example", thread: int | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "channel": "email",
            "customer": {"email": email, "name": "Carol"},
            "subject": "Order 12",
            "body": "Where is my order?",
        }
        if thread is not None:
            body["thread"] = {"ticket_id": thread}
        response = await self.agent.post("/api/contacts", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json()["ticket"])

    async def reply(self, ticket_id: int, *, public: bool = True) -> None:
        response = await self.agent.post(
            f"/api/tickets/{ticket_id}/messages", json={"body": "It ships today.", "public": public}
        )
        assert response.status_code == 201, response.text

    async def solve(self, ticket_id: int) -> None:
        response = await self.agent.patch(f"/api/tickets/{ticket_id}", json={"status": "solved"})
        assert response.status_code == 200, response.text

    async def answer(self, token: str, **answer: Any) -> httpx.Response:
        return await self.public.post(f"/public/api/surveys/{token}", json=answer)

    async def report(self, name: str) -> dict[str, Any]:
        now = utcnow()
        period = {
            "from": (now - timedelta(days=1)).isoformat(),
            "to": (now + timedelta(days=1)).isoformat(),
        }
        response = await self.lead.get(f"/api/reports/{name}", params=period)
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
async def desk(smtp_server: SmtpServer) -> AsyncIterator[Desk]:
    await make_agent("alice@desk.example", "agent")
    await make_agent("lena@desk.example", "lead")
    async with app_client() as agent, app_client() as lead, app_client() as public:
        await sign_in(agent, "alice@desk.example")
        await sign_in(lead, "lena@desk.example")
        yield Desk(agent=agent, lead=lead, public=public)


def links(message: EmailMessage) -> dict[int, str]:
    """rating -> token of the links in a survey email."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return {int(m["rating"]): m["token"] for m in LINK.finditer(body.get_content())}


def only_token(message: EmailMessage) -> str:
    tokens = set(links(message).values())
    assert len(tokens) == 1, tokens
    return tokens.pop()


async def test_csat_survey_flow_end_to_end(desk: Desk, smtp_server: SmtpServer) -> None:
    ticket = await desk.contact()
    await desk.reply(ticket["id"])
    await desk.solve(ticket["id"])
    await deliver_due()

    [email] = smtp_server.about(CSAT_SUBJECT)
    assert email["To"] == "carol@mail.example" and f"[#{ticket['id']}]" in email["Subject"]
    assert sorted(links(email)) == [1, 2, 3, 4, 5]
    token = only_token(email)

    first = await desk.answer(token, rating=5, ces_score=6)
    assert first.status_code == 200, first.text
    assert (first.json()["rating"], first.json()["ces_score"]) == (5, 6)
    csat = (await desk.report("cx"))["totals"]["csat"]
    assert (csat["responses"], csat["satisfied"], csat["surveys_sent"]) == (1, 1, 1)

    edit_token = first.json()["edit_token"]
    changed = await desk.answer(edit_token, rating=2, comment="Arrived broken")
    assert changed.status_code == 200, changed.text
    assert changed.json()["comment"] == "Arrived broken"
    csat = (await desk.report("cx"))["totals"]["csat"]
    assert (csat["responses"], csat["satisfied"], csat["score"]) == (1, 0, 0.0)
    profile = (await desk.lead.get(f"/api/customers/{ticket['customer']['id']}")).json()
    latest = profile["surveys"][0]
    assert (latest["kind"], latest["score"], latest["comment"]) == ("csat", 2, "Arrived broken")
    ces = await desk.report("ces")
    assert (ces["responses"], ces["mean"]) == (1, 6.0)
    assert ces["by_channel"] == [
        {"channel": "email", "responses": 1, "mean": 6.0, "distribution": ces["distribution"]}
    ]

    reused = await desk.answer(token, rating=5)
    assert reused.status_code == 410
    assert "already been used" in reused.json()["detail"]
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    refused = await desk.answer(forged, rating=5)
    assert refused.status_code == 404
    assert "not valid" in refused.json()["detail"]


async def test_reopened_ticket_refuses_the_old_survey_and_sends_a_new_one(
    desk: Desk, smtp_server: SmtpServer
) -> None:
    ticket = await desk.contact()
    await desk.reply(ticket["id"])
    await desk.solve(ticket["id"])
    await deliver_due()
    first = await desk.answer(only_token(smtp_server.about(CSAT_SUBJECT)[0]), rating=4)
    edit_token = first.json()["edit_token"]

    await desk.contact(thread=ticket["id"])  # the customer writes again: reopened
    await desk.reply(ticket["id"])
    await desk.solve(ticket["id"])
    await deliver_due()

    stale = await desk.answer(edit_token, rating=1)
    assert stale.status_code == 410
    assert "reopened" in stale.json()["detail"]
    first_email, second_email = smtp_server.about(CSAT_SUBJECT)
    new_token = only_token(second_email)
    assert new_token != only_token(first_email)
    assert (await desk.answer(new_token, rating=3)).status_code == 200
    csat = (await desk.report("cx"))["totals"]["csat"]
    assert (csat["responses"], csat["satisfied"], csat["surveys_sent"]) == (1, 0, 2)


async def test_no_survey_for_a_ticket_solved_without_a_public_reply(
    desk: Desk, smtp_server: SmtpServer
) -> None:
    ticket = await desk.contact()
    await desk.reply(ticket["id"], public=False)
    await desk.solve(ticket["id"])
    await deliver_due()
    assert smtp_server.messages == []


async def test_second_solve_within_the_fatigue_window_sends_no_survey(
    desk: Desk, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSAT_FATIGUE_DAYS", "30")
    get_settings.cache_clear()
    first = await desk.contact()
    await desk.reply(first["id"])
    await desk.solve(first["id"])
    await desk.solve(first["id"])  # already solved: no second survey either
    second = await desk.contact(email="Carol@Mail.example")
    assert second["id"] != first["id"] and second["customer"]["id"] == first["customer"]["id"]
    await desk.reply(second["id"])
    await desk.solve(second["id"])
    other = await desk.contact(email="dan@mail.example")  # another customer is surveyed
    await desk.reply(other["id"])
    await desk.solve(other["id"])
    await deliver_due()
    # Sorted: two recipients' emails go over two SMTP connections at once.
    assert sorted(m["To"] for m in smtp_server.about(CSAT_SUBJECT)) == [
        "carol@mail.example",
        "dan@mail.example",
    ]


async def test_delayed_survey_is_queued_for_its_time_and_not_sent_before(
    desk: Desk, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from servicedesk.queue import huey

    monkeypatch.setenv("CSAT_DELAY_MINUTES", "30")
    get_settings.cache_clear()
    huey.flush()
    ticket = await desk.contact()
    await desk.reply(ticket["id"])
    await desk.solve(ticket["id"])
    await deliver_due()
    assert smtp_server.about(CSAT_SUBJECT) == []

    due = [task.eta for task in huey.pending() if task.eta is not None]
    assert len(due) == 1
    solved_at = utcnow().replace(tzinfo=None)
    assert timedelta(minutes=29) < due[0] - solved_at <= timedelta(minutes=30)
    await deliver_due(now=utcnow() + timedelta(minutes=31))
    assert [m["To"] for m in smtp_server.about(CSAT_SUBJECT)] == ["carol@mail.example"]


async def test_customer_who_opted_out_gets_no_survey(desk: Desk, smtp_server: SmtpServer) -> None:
    ticket = await desk.contact()
    opted = await desk.agent.patch(
        f"/api/customers/{ticket['customer']['id']}", json={"surveys_opt_out": True}
    )
    assert opted.status_code == 200 and opted.json()["surveys_opt_out"] is True
    await desk.reply(ticket["id"])
    await desk.solve(ticket["id"])
    await deliver_due()
    assert (
        smtp_server.about(CSAT_SUBJECT) == [] and len(smtp_server.messages) == 1
    )  # just the reply


async def test_nps_survey_counts_a_promoter(desk: Desk, smtp_server: SmtpServer) -> None:
    customer_id = (await desk.contact())["customer"]["id"]
    sent = await desk.lead.post("/api/surveys/nps", json={"customer_ids": [customer_id]})
    assert sent.status_code == 201, sent.text
    assert sent.json() == {"sent": 1}
    await deliver_due()

    [email] = smtp_server.about(NPS_SUBJECT)
    assert sorted(links(email)) == list(range(11))
    answered = await desk.answer(only_token(email), rating=9, comment="Great people")
    assert answered.status_code == 200, answered.text
    nps = await desk.report("nps")
    assert (nps["responses"], nps["promoters"], nps["detractors"], nps["nps"]) == (1, 1, 0, 100.0)
    profile = (await desk.lead.get(f"/api/customers/{customer_id}")).json()
    assert [(s["kind"], s["score"]) for s in profile["surveys"]] == [("nps", 9)]


async def test_anonymous_nps_is_counted_but_not_shown_on_the_customer(
    desk: Desk, smtp_server: SmtpServer
) -> None:
    customer_id = (await desk.contact())["customer"]["id"]
    await desk.lead.post(
        "/api/surveys/nps", json={"customer_ids": [customer_id], "anonymous": True}
    )
    await deliver_due()
    [email] = smtp_server.about(NPS_SUBJECT)
    assert (await desk.answer(only_token(email), rating=3, comment="Too slow")).status_code == 200

    nps = await desk.report("nps")
    assert (nps["responses"], nps["detractors"], nps["nps"]) == (1, 1, -100.0)
    profile = (await desk.lead.get(f"/api/customers/{customer_id}")).json()
    assert profile["surveys"] == []
    comments = (await desk.lead.get("/api/surveys/comments", params={"q": "slow"})).json()
    assert [(c["kind"], c["comment"], c["customer_id"]) for c in comments["items"]] == [
        ("nps", "Too slow", None)
    ]


async def test_survey_comments_are_searchable(desk: Desk, smtp_server: SmtpServer) -> None:
    """Voice of the customer: leads search what customers wrote, by words and period."""
    carol = await desk.contact()
    dan = await desk.contact(email="dan@mail.example")
    for ticket in (carol, dan):
        await desk.reply(ticket["id"])
        await desk.solve(ticket["id"])
    await deliver_due()
    # By recipient: two addresses' emails go over different SMTP connections, in any order.
    mail = {str(m["To"]): m for m in smtp_server.about(CSAT_SUBJECT)}
    carol_mail, dan_mail = mail["carol@mail.example"], mail["dan@mail.example"]
    first = await desk.answer(only_token(carol_mail), rating=5, comment="Fast DELIVERY, thanks")
    await desk.answer(first.json()["edit_token"], rating=2, comment="Delivery was late after all")
    await desk.answer(only_token(dan_mail), rating=4, comment="Friendly agent")

    async def search(**params: str) -> list[dict[str, Any]]:
        response = await desk.lead.get("/api/surveys/comments", params=params)
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    found = await search(q="delivery")
    assert [(c["comment"], c["score"]) for c in found] == [("Delivery was late after all", 2)]
    assert found[0]["ticket_id"] == carol["id"]
    assert found[0]["customer_id"] == carol["customer"]["id"]
    assert {c["comment"] for c in await search()} == {
        "Delivery was late after all",
        "Friendly agent",
    }
    later = (utcnow() + timedelta(hours=1)).isoformat()
    assert await search(q="agent", **{"from": later}) == []
    assert len(await search(to=later)) == 2
    assert (await desk.agent.get("/api/surveys/comments")).status_code == 403
    naive = await desk.lead.get("/api/surveys/comments", params={"from": "2026-01-01T00:00:00"})
    assert naive.status_code in (400, 422)


async def test_nps_to_a_segment_of_hundreds_surveys_each_reachable_customer_once(
    desk: Desk, smtp_server: SmtpServer
) -> None:
    """More customers than one batch of 500, a customer named twice, one who opted out, one
    whose email bounced, one with a phone only and an id no customer has."""
    ids = [
        await find_or_create_customer(identity=ContactIdentity(email=f"c{n}@mail.example"))
        for n in range(520)
    ]
    phone_only = await find_or_create_customer(identity=ContactIdentity(phone="+441632960001"))
    await Customer.update({Customer.surveys_opt_out: True}).where(Customer.id == ids[0])
    await Customer.update({Customer.email_bounced: True}).where(Customer.id == ids[1])
    segment = [*ids, ids[5], phone_only, 999_999]
    sent = await desk.lead.post("/api/surveys/nps", json={"customer_ids": segment})
    assert sent.status_code == 201, sent.text
    assert sent.json() == {"sent": 518}
    surveys = await Survey.select(Survey.customer, Survey.nonce).where(Survey.kind == "nps")
    assert sorted(s["customer"] for s in surveys) == sorted(ids[2:])
    emails = await OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.body_text).where(
        OutboxMessage.topic == "nps_survey"
    )
    address_of = {s["customer"]: f"c{ids.index(s['customer'])}@mail.example" for s in surveys}
    token_to = {link_token(s["nonce"]): address_of[s["customer"]] for s in surveys}
    assert len(emails) == 518
    for email in emails:
        [token] = set(re.findall(r"/survey/([^?\s]+)\?", email["body_text"]))
        assert token_to[token] == email["to_address"]
    await deliver_due()
    assert len(smtp_server.about(NPS_SUBJECT)) == 518
