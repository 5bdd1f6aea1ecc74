"""Phone: calls agents log on a ticket or from a profile, and CTI events (call.started,
call.ended), each on the ticket's timeline and counted for the CX facts as a phone contact."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx

from servicedesk.channels.tables import PhoneCall
from servicedesk.clock import iso, utcnow
from servicedesk.cx.reports import cx_report
from servicedesk.cx.tables import TicketMetrics as M
from servicedesk.tickets.tables import Interaction, Ticket
from tests.conftest import make_agent, sign_in


async def contact(client: Any, channel: str = "email", **customer: str) -> dict[str, Any]:
    customer = customer or {"email": "pia@mail.example", "name": "Pia"}
    response = await client.post(
        "/api/contacts", json={"channel": channel, "customer": customer, "body": "Hello"}
    )
    assert response.status_code == 201, response.text
    return dict(response.json()["ticket"])


def call(direction: str, outcome: str, minutes_ago: float = 5, **extra: Any) -> dict[str, Any]:
    started = utcnow() - timedelta(minutes=minutes_ago)
    return {
        "direction": direction,
        "started_at": iso(started),
        "duration_seconds": 245,
        "outcome": outcome,
        **extra,
    }


async def facts(ticket_id: int) -> dict[str, Any]:
    row = await M.select().where(M.ticket == ticket_id).first()
    assert row is not None
    return row


async def test_an_outbound_answered_call_is_the_first_response_and_shows_on_the_timeline(
    agent_client: httpx.AsyncClient,
) -> None:
    ticket = await contact(agent_client)
    response = await agent_client.post(
        f"/api/tickets/{ticket['id']}/calls",
        json=call("outbound", "answered", minutes_ago=0.5, notes="Explained the invoice"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["outcome"] == "answered"
    assert response.json()["duration_seconds"] == 245
    detail = (await agent_client.get(f"/api/tickets/{ticket['id']}")).json()
    assert detail["status"] == "open"  # an agent's first answer starts the work
    [_, logged] = detail["interactions"]
    assert (logged["kind"], logged["channel"], logged["public"]) == ("call", "phone", True)
    assert logged["body_text"] == "Explained the invoice"
    assert logged["call"]["direction"] == "outbound" and logged["call"]["source"] == "agent"
    row = await facts(ticket["id"])
    assert row["agent_public_replies"] == 1 and row["first_response_at"] is not None


async def test_an_unanswered_outbound_call_is_kept_but_is_no_reply(
    agent_client: httpx.AsyncClient,
) -> None:
    ticket = await contact(agent_client)
    response = await agent_client.post(
        f"/api/tickets/{ticket['id']}/calls", json=call("outbound", "no_answer")
    )
    assert response.status_code == 201, response.text
    detail = (await agent_client.get(f"/api/tickets/{ticket['id']}")).json()
    assert detail["status"] == "new"
    assert detail["interactions"][-1]["body_text"] == "Outbound call, no answer, 4 min 5 s"
    assert detail["interactions"][-1]["public"] is False
    row = await facts(ticket["id"])
    assert row["agent_public_replies"] == 0 and row["first_response_at"] is None


async def test_an_inbound_call_on_a_solved_ticket_reopens_it_as_any_customer_contact(
    agent_client: httpx.AsyncClient,
) -> None:
    ticket = await contact(agent_client)
    await agent_client.post(f"/api/tickets/{ticket['id']}/messages", json={"body": "Done"})
    solved = await agent_client.patch(f"/api/tickets/{ticket['id']}", json={"status": "solved"})
    assert solved.json()["status"] == "solved"
    response = await agent_client.post(
        f"/api/tickets/{ticket['id']}/calls",
        json=call("inbound", "answered", minutes_ago=60),  # before the solve: counted after it
    )
    assert response.status_code == 201, response.text
    detail = (await agent_client.get(f"/api/tickets/{ticket['id']}")).json()
    assert detail["status"] == "open"
    row = await facts(ticket["id"])
    assert (row["reopens"], row["inbound_before_first_solve"]) == (1, 1)
    logged = await Interaction.select().where(Interaction.kind == "call").first()
    assert logged is not None and logged["created_at"] >= row["first_solved_at"]


async def test_a_call_from_the_profile_opens_a_phone_ticket_or_joins_the_one_chosen(
    agent_client: httpx.AsyncClient,
) -> None:
    ticket = await contact(agent_client)
    customer_id = ticket["customer"]["id"]
    response = await agent_client.post(
        f"/api/customers/{customer_id}/calls",
        json=call("inbound", "callback_requested", subject="Wants a call back"),
    )
    assert response.status_code == 201, response.text
    opened = response.json()["ticket_id"]
    row = await Ticket.select().where(Ticket.id == opened).first()
    assert row is not None
    assert (row["channel"], row["subject"], row["customer"]) == (
        "phone",
        "Wants a call back",
        customer_id,
    )
    assert (await facts(opened))["inbound_before_first_solve"] == 1
    joined = await agent_client.post(
        f"/api/customers/{customer_id}/calls",
        json=call("outbound", "voicemail", ticket_id=ticket["id"]),
    )
    assert joined.status_code == 201 and joined.json()["ticket_id"] == ticket["id"]
    assert await PhoneCall.count().where(PhoneCall.ticket == ticket["id"]) == 1
    someone_else = await contact(agent_client, email="quinn@mail.example")
    refused = await agent_client.post(
        f"/api/customers/{customer_id}/calls",
        json=call("outbound", "answered", ticket_id=someone_else["id"]),
    )
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "ticket_id"


async def test_a_call_body_names_its_bad_fields(agent_client: httpx.AsyncClient) -> None:
    ticket = await contact(agent_client)
    response = await agent_client.post(
        f"/api/tickets/{ticket['id']}/calls",
        json={**call("sideways", "answered"), "duration_seconds": -1},
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"direction", "duration_seconds"} <= fields
    missing = await agent_client.post("/api/tickets/99999/calls", json=call("inbound", "answered"))
    assert missing.status_code == 404


async def cti(client: httpx.AsyncClient, **event: Any) -> httpx.Response:
    return await client.post("/api/channels/phone/inbound", json=event)


def started(call_id: str, caller: str = "+441632960555", minutes_ago: float = 1) -> dict[str, Any]:
    at = iso(utcnow() - timedelta(minutes=minutes_ago))
    return {
        "event": "call.started",
        "call_id": call_id,
        "from": caller,
        "to": "+441632960000",
        "started_at": at,
    }


async def test_cti_call_started_and_ended_are_idempotent_by_call_id(
    admin_client: httpx.AsyncClient,
) -> None:
    first = await cti(admin_client, **started("c-1"))
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "created"
    again = await cti(admin_client, **started("c-1", caller="+441632960999"))
    assert again.status_code == 200
    assert again.json() == {**body, "status": "duplicate"}
    assert await Ticket.count() == 1 and await Interaction.count() == 1
    assert (await facts(body["ticket_id"]))["inbound_before_first_solve"] == 1

    ended = {"event": "call.ended", "call_id": "c-1", "duration": 300, "outcome": "answered"}
    done = await cti(admin_client, **ended, recording_url="https://pbx.example/r/c-1.mp3")
    assert done.status_code == 200 and done.json()["status"] == "ended"
    repeat = await cti(admin_client, **{**ended, "duration": 5, "outcome": "no_answer"})
    assert repeat.json()["status"] == "duplicate"
    row = await PhoneCall.select().where(PhoneCall.call_id == "c-1").first()
    assert row is not None
    assert (row["duration_seconds"], row["outcome"]) == (300, "answered")
    assert row["recording_url"] == "https://pbx.example/r/c-1.mp3"
    assert row["from_number"] == "+441632960555" and row["source"] == "cti"
    detail = (await admin_client.get(f"/api/tickets/{body['ticket_id']}")).json()
    assert detail["channel"] == "phone"
    assert detail["interactions"][0]["call"]["outcome"] == "answered"


async def test_cti_a_second_call_continues_the_open_phone_ticket_in_national_form(
    admin_client: httpx.AsyncClient,
) -> None:
    first = (await cti(admin_client, **started("c-1"))).json()
    # The same caller in national form (PHONE_REGION GB).
    second = await cti(admin_client, **started("c-2", caller="01632 960555", minutes_ago=0))
    assert second.status_code == 200, second.text
    assert second.json()["status"] == "threaded"
    assert second.json()["ticket_id"] == first["ticket_id"]
    assert (await facts(first["ticket_id"]))["inbound_before_first_solve"] == 2
    await admin_client.post(f"/api/tickets/{first['ticket_id']}/messages", json={"body": "ok"})
    await admin_client.patch(f"/api/tickets/{first['ticket_id']}", json={"status": "solved"})
    third = await cti(admin_client, **started("c-3", minutes_ago=0))
    assert third.status_code == 201  # a solved ticket is not an open one: a new ticket
    withheld = await cti(admin_client, **started("c-4", caller="anonymous", minutes_ago=0))
    assert withheld.status_code == 201, withheld.text


async def test_cti_refusals_name_the_field(
    admin_client: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    bad = await cti(admin_client, **started("c-1", caller="12"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "from"
    early = await cti(
        admin_client, event="call.ended", call_id="c-9", duration=3, outcome="answered"
    )
    assert early.status_code == 409 and early.json()["errors"][0]["field"] == "call_id"
    missing = await cti(admin_client, event="call.started", call_id="c-1")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "from"
    unknown = await cti(admin_client, event="call.held", call_id="c-1")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "event"
    await make_agent("ann@desk.example", "agent")
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as agent:
        await sign_in(agent, "ann@desk.example")
        assert (await cti(agent, **started("c-1"))).status_code == 403


async def test_logged_calls_count_in_the_cx_report_as_phone_contacts(
    agent_client: httpx.AsyncClient,
) -> None:
    """A customer phones (CTI-less: logged from the profile), the agent calls back and
    solves: one phone ticket, FCR on first contact."""
    ticket = await contact(agent_client, channel="phone", phone="+441632960777", name="Rob")
    await agent_client.post(
        f"/api/tickets/{ticket['id']}/calls", json=call("outbound", "answered", 0)
    )
    await agent_client.patch(f"/api/tickets/{ticket['id']}", json={"status": "solved"})
    now = utcnow()
    report = await cx_report(
        start=now - timedelta(days=1), end=now + timedelta(days=1), group_by=["channel"]
    )
    [row] = report["rows"]
    assert row["channel"] == "phone" and row["solved"] == 1
    assert row["fcr"]["eligible"] == 1 and row["fcr"]["count"] == 1


async def test_cti_concurrent_repeats_of_a_call_make_one_ticket(
    admin_client: httpx.AsyncClient,
) -> None:
    event = started("c-race", caller="+441632960444")
    answers = await asyncio.gather(*[cti(admin_client, **event) for _ in range(4)])
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert {a.json()["ticket_id"] for a in answers} == {answers[0].json()["ticket_id"]}
    assert await PhoneCall.count() == 1 and await Ticket.count() == 1


async def test_cti_a_recording_url_is_an_http_url(admin_client: httpx.AsyncClient) -> None:
    await cti(admin_client, **started("c-1"))
    ended = {"event": "call.ended", "call_id": "c-1", "duration": 3, "outcome": "answered"}
    bad = await cti(admin_client, **ended, recording_url="javascript:alert(1)")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "recording_url"
    assert (await cti(admin_client, **ended)).json()["status"] == "ended"
