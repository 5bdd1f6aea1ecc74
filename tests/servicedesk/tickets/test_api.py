"""The ticket and contact endpoints, over HTTP, with bad input and concurrency."""

from __future__ import annotations

import asyncio
from typing import Any

from servicedesk.tickets.tables import Interaction, Ticket

CONTACT = {
    "channel": "email",
    "customer": {"email": "carol@mail.example", "name": "Carol"},
    "subject": "Order 12",
    "body": "Where is my order?",
}


async def test_contact_opens_a_ticket_and_agent_works_it(agent_client: Any) -> None:
    created = await agent_client.post("/api/contacts", json=CONTACT)
    assert created.status_code == 201, created.text
    ticket = created.json()["ticket"]
    assert ticket["status"] == "new" and ticket["customer"]["name"] == "Carol"
    listed = await agent_client.get("/api/tickets", params={"view": "unassigned"})
    assert [t["id"] for t in listed.json()["items"]] == [ticket["id"]]
    me = (await agent_client.get("/api/auth/me")).json()["agent"]
    patched = await agent_client.patch(
        f"/api/tickets/{ticket['id']}",
        json={"assignee_id": me["id"], "tags": ["Billing", "vip"], "priority": "high"},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["tags"] == ["billing", "vip"] and patched.json()["priority"] == "high"
    note = await agent_client.post(
        f"/api/tickets/{ticket['id']}/messages", json={"body": "checking", "public": False}
    )
    assert note.status_code == 201 and note.json()["public"] is False
    reply = await agent_client.post(
        f"/api/tickets/{ticket['id']}/messages", json={"body": "It ships today"}
    )
    assert reply.status_code == 201
    solved = await agent_client.patch(f"/api/tickets/{ticket['id']}", json={"status": "solved"})
    assert solved.json()["status"] == "solved"
    detail = (await agent_client.get(f"/api/tickets/{ticket['id']}")).json()
    assert [i["direction"] for i in detail["interactions"]] == ["inbound", "outbound", "outbound"]
    assert {"assignee", "tags", "priority", "status"} <= {e["field"] for e in detail["events"]}
    counts = (await agent_client.get("/api/tickets/counts")).json()
    assert counts["solved"] == 1 and counts["unassigned"] == 0


async def test_keyset_pagination_walks_every_ticket_once(agent_client: Any) -> None:
    for n in range(7):
        await agent_client.post(
            "/api/contacts", json={**CONTACT, "customer": {"email": f"c{n}@mail.example"}}
        )
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await agent_client.get("/api/tickets", params=params)).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 == len(set(seen))


async def test_filters_and_text_search(agent_client: Any) -> None:
    await agent_client.post("/api/contacts", json=CONTACT)
    await agent_client.post(
        "/api/contacts",
        json={**CONTACT, "channel": "chat", "subject": "Refund", "body": "money back please"},
    )
    assert (
        len((await agent_client.get("/api/tickets", params={"channel": "chat"})).json()["items"])
        == 1
    )
    found = (await agent_client.get("/api/tickets", params={"q": "money back"})).json()["items"]
    assert [t["subject"] for t in found] == ["Refund"]


async def test_idempotency_key_returns_the_first_result_even_when_retries_race(
    agent_client: Any,
) -> None:
    headers = {"Idempotency-Key": "contact-42"}
    responses = await asyncio.gather(
        *[agent_client.post("/api/contacts", json=CONTACT, headers=headers) for _ in range(5)]
    )
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    assert len({r.json()["ticket"]["id"] for r in responses}) == 1
    assert sum(not r.json()["replayed"] for r in responses) == 1
    assert await Ticket.count() == 1 and await Interaction.count() == 1


async def test_concurrent_first_contacts_from_one_new_customer_make_one_customer(
    agent_client: Any,
) -> None:
    responses = await asyncio.gather(
        *[agent_client.post("/api/contacts", json={**CONTACT, "body": f"m{n}"}) for n in range(4)]
    )
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    assert len({r.json()["ticket"]["customer"]["id"] for r in responses}) == 1


async def test_invalid_status_change_is_a_409_that_says_why(agent_client: Any) -> None:
    ticket = (await agent_client.post("/api/contacts", json=CONTACT)).json()["ticket"]
    response = await agent_client.patch(f"/api/tickets/{ticket['id']}", json={"status": "closed"})
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "only solved tickets can be closed" in response.json()["detail"]


async def test_ticket_shows_the_customers_latest_rating(agent_client: Any) -> None:
    from servicedesk.clock import utcnow
    from servicedesk.cx import survey_answers

    ticket = (await agent_client.post("/api/contacts", json=CONTACT)).json()["ticket"]
    assert (await agent_client.get(f"/api/tickets/{ticket['id']}")).json()["satisfaction"] is None
    await agent_client.post(f"/api/tickets/{ticket['id']}/messages", json={"body": "Done"})
    await agent_client.patch(f"/api/tickets/{ticket['id']}", json={"status": "solved"})
    for rating, comment in ((2, "slow"), (5, "sorted in the end")):
        await survey_answers.record_csat(
            ticket_id=ticket["id"], rating=rating, comment=comment, now=utcnow()
        )
    detail = (await agent_client.get(f"/api/tickets/{ticket['id']}")).json()
    assert detail["satisfaction"] == {
        "rating": 5,
        "comment": "sorted in the end",
        "ces_score": None,
    }


async def test_the_contact_answer_built_from_the_rows_written_matches_a_fresh_read(
    agent_client: Any,
) -> None:
    """POST /api/contacts answers from the rows the contact just wrote (no read back) when
    they tell all; the answer must be what reading the ticket afterwards shows, for a new
    customer, a known one, one learning an email, and a contact threaded into a ticket."""
    contacts = [
        CONTACT,  # a new customer
        {**CONTACT, "subject": "Order 13"},  # known, by email
        {"channel": "phone", "customer": {"phone": "+441632960001"}, "body": "Calling"},
        # known by phone, learning an email that becomes the first one
        {
            "channel": "web",
            "customer": {"phone": "+441632960001", "email": "Pat@Mail.example"},
            "body": "By the form",
        },
        {"channel": "chat", "customer": {"social": "twitter:@ann"}, "body": "No email at all"},
    ]
    emails = []
    first_ticket = 0
    for contact in [*contacts, {**CONTACT, "body": "Any news?", "thread": {"ticket_id": 1}}]:
        if "thread" in contact:  # continues the first ticket, answered by a read
            contact = {**contact, "thread": {"ticket_id": first_ticket}}
        response = await agent_client.post("/api/contacts", json=contact)
        assert response.status_code == 201, response.text
        answer = response.json()
        first_ticket = first_ticket or answer["ticket"]["id"]
        detail = (await agent_client.get(f"/api/tickets/{answer['ticket']['id']}")).json()
        assert answer["ticket"] == {key: detail[key] for key in answer["ticket"]}
        listed = [i for i in detail["interactions"] if i["id"] == answer["interaction"]["id"]]
        assert listed == [answer["interaction"]]
        emails.append(answer["ticket"]["customer"]["email"])
    # Kept as typed (the key that finds the customer is case-insensitive).
    assert emails[3] == "Pat@Mail.example" and emails[4] is None


async def test_tags_added_keep_their_order_and_any_edit_is_in_the_audit_trail(
    agent_client: Any,
) -> None:
    ticket_id = (await agent_client.post("/api/contacts", json=CONTACT)).json()["ticket"]["id"]

    async def set_tags(tags: list[str]) -> list[str]:
        patched = await agent_client.patch(f"/api/tickets/{ticket_id}", json={"tags": tags})
        assert patched.status_code == 200, patched.text
        stored = await agent_client.get(f"/api/tickets/{ticket_id}")
        assert stored.json()["tags"] == patched.json()["tags"]
        return list(patched.json()["tags"])

    assert await set_tags(["b", "a"]) == ["b", "a"]
    assert await set_tags(["b", "a", "c"]) == ["b", "a", "c"]  # only added: appended
    assert await set_tags(["c", "b"]) == ["c", "b"]  # removed and reordered: replaced
    assert await set_tags(["c", "b", "a"]) == ["c", "b", "a"]
    events = (await agent_client.get(f"/api/tickets/{ticket_id}")).json()["events"]
    changes = [(e["old_value"], e["new_value"]) for e in events if e["field"] == "tags"]
    assert changes == [("", "b,a"), ("b,a", "b,a,c"), ("b,a,c", "c,b"), ("c,b", "c,b,a")]
