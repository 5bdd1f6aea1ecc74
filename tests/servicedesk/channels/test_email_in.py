"""Email in through the HTTP door: every fixture gives a ticket or a clear 4xx, attachments
come back byte for byte, replies thread, duplicates change nothing, machines are flagged
and stopped, bounces mark the address."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from servicedesk.channels import service as channels
from servicedesk.channels.tables import InboundEmail
from servicedesk.clock import utcnow
from servicedesk.customers.tables import Customer
from servicedesk.cx.tables import Survey
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.settings import get_settings
from servicedesk.tickets.tables import Interaction, Ticket

from .mail import MAIL_FIXTURES, compose, dsn, expected_attachments, post_raw

FIXTURE_FILES = sorted(MAIL_FIXTURES.glob("*.eml"))


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Attachments go to a directory of this test's own."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_fixture_folder_has_the_shapes_the_desk_must_read() -> None:
    assert len(FIXTURE_FILES) >= 15


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
async def test_every_message_gives_a_ticket_and_its_files_byte_for_byte(
    admin_client: httpx.AsyncClient, path: Path
) -> None:
    response = await post_raw(admin_client, path.read_bytes())
    assert response.status_code in (200, 201), response.text
    result = response.json()
    if result["status"] == "bounce":
        assert result["interaction_id"] is None
        return
    assert result["status"] in ("created", "ignored")
    assert (response.status_code == 201) == (result["status"] == "created")
    ticket = (await admin_client.get(f"/api/tickets/{result['ticket_id']}")).json()
    interaction = next(i for i in ticket["interactions"] if i["id"] == result["interaction_id"])
    assert interaction["body_text"].strip()
    expected = expected_attachments(path)
    assert len(interaction["attachments"]) == len(expected)
    downloaded = []
    for attachment in interaction["attachments"]:
        file = await admin_client.get(attachment["url"])
        assert file.status_code == 200
        assert file.headers["content-disposition"].startswith("attachment;")
        assert file.headers["content-type"].split(";")[0] == attachment["content_type"]
        downloaded.append(file.content)
    assert sorted(downloaded) == sorted(expected)


async def test_non_ascii_names_and_subjects_are_decoded(admin_client: httpx.AsyncClient) -> None:
    expectations = {
        "01-utf8-rfc2047-name.eml": ("José Müller", "Bestellung 4711 – Lieferung fehlt 📦"),
        "02-iso-8859-1.eml": ("François", "Problème de facturation"),
        "03-windows-1252.eml": ("Smart Quotes", "“Refund” – €20"),
        "04-koi8-r.eml": ("Иван Петров", "Не работает вход"),
        "05-shift-jis.eml": ("山田太郎", "注文について"),
        "17-iso-2022-jp.eml": ("鈴木", "返品の件"),
    }
    for name, (customer, subject) in expectations.items():
        result = (await post_raw(admin_client, (MAIL_FIXTURES / name).read_bytes(), 201)).json()
        ticket = (await admin_client.get(f"/api/tickets/{result['ticket_id']}")).json()
        assert (ticket["customer"]["name"], ticket["subject"]) == (customer, subject)
    ticket = (await admin_client.get("/api/tickets/4")).json()
    assert "Не могу войти" in ticket["interactions"][0]["body_text"]


async def test_html_is_sanitised_and_the_text_part_kept(admin_client: httpx.AsyncClient) -> None:
    raw = (MAIL_FIXTURES / "06-alternative-html.eml").read_bytes()
    result = (await post_raw(admin_client, raw, 201)).json()
    interaction = (await admin_client.get(f"/api/tickets/{result['ticket_id']}")).json()[
        "interactions"
    ][0]
    assert interaction["body_text"].startswith("Plain text version")
    assert "<b>version</b>" in interaction["body_html"]
    assert "script" not in interaction["body_html"] and "onerror" not in interaction["body_html"]


async def test_attachment_types_are_sniffed_not_trusted(admin_client: httpx.AsyncClient) -> None:
    raw = (MAIL_FIXTURES / "07-mixed-attachments.eml").read_bytes()
    result = (await post_raw(admin_client, raw, 201)).json()
    listed = (await admin_client.get(f"/api/tickets/{result['ticket_id']}/attachments")).json()
    types = {a["filename"]: a["content_type"] for a in listed}
    assert types == {
        "invoice.pdf": "application/pdf",
        "logs.png": "application/zip",  # declared image/png: the bytes are a zip
        "übersicht €.txt": "text/plain",
    }


async def test_attachments_are_for_agents_only(
    admin_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = (MAIL_FIXTURES / "08-inline-image.eml").read_bytes()
    result = (await post_raw(admin_client, raw, 201)).json()
    listed = (await admin_client.get(f"/api/tickets/{result['ticket_id']}/attachments")).json()
    assert [(a["inline"], a["content_type"]) for a in listed] == [(True, "image/png")]
    async with httpx.AsyncClient(
        transport=admin_client._transport, base_url="http://testserver"
    ) as anonymous:
        assert (await anonymous.get(listed[0]["url"])).status_code == 401


async def test_quoted_history_is_folded_and_the_text_kept(admin_client: httpx.AsyncClient) -> None:
    raw = (MAIL_FIXTURES / "03-windows-1252.eml").read_bytes()
    result = (await post_raw(admin_client, raw, 201)).json()
    interaction = (await admin_client.get(f"/api/tickets/{result['ticket_id']}")).json()[
        "interactions"
    ][0]
    text, fold = interaction["body_text"], interaction["fold_at"]
    assert text[:fold].strip() == "“I’d like my €20 back” – thanks."
    assert text[fold:].startswith("On Mon, Nov 2, 2026") and "> Hello" in text


async def test_bad_requests_are_clear_4xx(admin_client: httpx.AsyncClient) -> None:
    empty = await post_raw(admin_client, b"  \r\n", 422)
    assert empty.json()["errors"][0]["field"] == "body"
    not_mail = await post_raw(admin_client, b"just some words, no headers", 422)
    assert "not an email" in not_mail.json()["detail"]
    wrong_type = await admin_client.post(
        "/api/channels/email/inbound",
        content=b"From: a@b.c\r\n\r\nhi",
        headers={"Content-Type": "text/plain"},
    )
    assert wrong_type.status_code == 415
    assert wrong_type.headers["content-type"] == "application/problem+json"


async def test_agents_cannot_post_mail(agent_client: httpx.AsyncClient) -> None:
    raw = (MAIL_FIXTURES / "10-no-message-id.eml").read_bytes()
    assert (await post_raw(agent_client, raw)).status_code == 403


async def test_a_message_without_a_sender_is_kept_raw_for_an_admin(
    admin_client: httpx.AsyncClient,
) -> None:
    raw = (MAIL_FIXTURES / "16-no-from.eml").read_bytes()
    result = (await post_raw(admin_client, raw, 201)).json()
    assert result["reason"] == "unreadable" and "From" in result["warning"]
    ticket = (await admin_client.get(f"/api/tickets/{result['ticket_id']}")).json()
    assert "mail-unreadable" in ticket["tags"]
    original = await admin_client.get(f"/api/channels/email/{result['email_id']}/raw")
    assert original.content == raw


async def test_a_reply_chain_threads_into_one_ticket(admin_client: httpx.AsyncClient) -> None:
    first = compose(sender="Carol <carol@mail.example>", subject="Order 12", body="Where is it?")
    opened = (await post_raw(admin_client, first, 201)).json()
    ticket_id = opened["ticket_id"]
    reply = await admin_client.post(
        f"/api/tickets/{ticket_id}/messages", json={"body": "It ships today.", "public": True}
    )
    assert reply.status_code == 201, reply.text
    our_id = reply.json()["message_id"]
    # The customer answers our reply (In-Reply-To), then writes with only [#id] in the subject.
    answer = compose(
        sender="carol@mail.example", subject="Re: Order 12", body="Thanks!", in_reply_to=our_id
    )
    threaded = (await post_raw(admin_client, answer, 200)).json()
    assert (threaded["status"], threaded["ticket_id"]) == ("threaded", ticket_id)
    by_number = compose(
        sender="carol@mail.example", subject=f"[#{ticket_id}] one more thing", body="Also..."
    )
    assert (await post_raw(admin_client, by_number, 200)).json()["ticket_id"] == ticket_id
    # References naming our message deep in the chain thread too.
    later = compose(
        sender="carol@mail.example",
        subject="Re: Re: Order 12",
        body="Still here",
        references=f"{our_id} <unknown@elsewhere.example>",
    )
    assert (await post_raw(admin_client, later, 200)).json()["ticket_id"] == ticket_id
    # A stranger quoting the ticket number gets a ticket of their own.
    stranger = compose(sender="eve@evil.example", subject=f"[#{ticket_id}] hi", body="Let me in")
    assert (await post_raw(admin_client, stranger, 201)).json()["ticket_id"] != ticket_id
    assert await Interaction.count().where(Interaction.ticket == ticket_id) == 5


async def test_a_duplicate_delivery_changes_nothing(admin_client: httpx.AsyncClient) -> None:
    raw = (MAIL_FIXTURES / "07-mixed-attachments.eml").read_bytes()
    first = (await post_raw(admin_client, raw, 201)).json()
    again = (await post_raw(admin_client, raw, 200)).json()
    assert again["status"] == "duplicate"
    assert (again["ticket_id"], again["interaction_id"]) == (
        first["ticket_id"],
        first["interaction_id"],
    )
    assert await Interaction.count() == 1 and await InboundEmail.count() == 1
    # Without a Message-ID, the same bytes are the same message too.
    no_id = (MAIL_FIXTURES / "10-no-message-id.eml").read_bytes()
    await post_raw(admin_client, no_id, 201)
    assert (await post_raw(admin_client, no_id, 200)).json()["status"] == "duplicate"


async def test_concurrent_deliveries_of_one_message_make_one_ticket(
    admin_client: httpx.AsyncClient,
) -> None:
    raw = compose(sender="new.person@mail.example", subject="Racing", body="same bytes")
    responses = await asyncio.gather(*(post_raw(admin_client, raw) for _ in range(5)))
    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses == ["created", "duplicate", "duplicate", "duplicate", "duplicate"]
    assert len({r.json()["ticket_id"] for r in responses}) == 1
    assert await Ticket.count() == 1 and await Interaction.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"List-Id": "<news.example.com>"},
    ],
)
async def test_machine_mail_is_recorded_but_flagged(
    admin_client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    raw = compose(sender="robot@other.example", subject="Auto", body="beep", headers=headers)
    result = (await post_raw(admin_client, raw, 200)).json()
    assert result["status"] == "ignored" and result["reason"]
    assert await channels.is_automated(ticket_id=result["ticket_id"])
    ticket = (await admin_client.get(f"/api/tickets/{result['ticket_id']}")).json()
    assert ticket["tags"] == ["automated-mail"] and len(ticket["interactions"]) == 1


async def test_a_ticket_a_machine_wrote_to_gets_no_survey(admin_client: httpx.AsyncClient) -> None:
    for sender, headers in (("robot@other.example", {"X-Autoreply": "yes"}), ("ann@ex.com", {})):
        raw = compose(sender=sender, subject="Solve me", body="hello", headers=headers)
        ticket_id = (await post_raw(admin_client, raw)).json()["ticket_id"]
        reply = await admin_client.post(
            f"/api/tickets/{ticket_id}/messages", json={"body": "Done.", "public": True}
        )
        assert reply.status_code == 201
        solved = await admin_client.patch(f"/api/tickets/{ticket_id}", json={"status": "solved"})
        assert solved.status_code == 200, solved.text
    surveys = await Survey.select(Survey.ticket)
    assert [s["ticket"] for s in surveys] == [2]  # the person's ticket only


async def test_auto_submitted_no_is_a_person(admin_client: httpx.AsyncClient) -> None:
    raw = compose(
        sender="ann@example.com", subject="Hi", body="hi", headers={"Auto-Submitted": "no"}
    )
    result = (await post_raw(admin_client, raw, 201)).json()
    assert not await channels.is_automated(ticket_id=result["ticket_id"])


async def test_an_auto_reply_storm_between_two_desks_stops_at_once(
    admin_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other desk answers every message with an auto-reply. Ours records them on the
    ticket and answers none; a desk that sets no header is stopped by the rate limit."""
    monkeypatch.setenv("MAIL_PER_SENDER_PER_HOUR", "3")
    get_settings.cache_clear()
    outbox_before = await OutboxMessage.count().where(OutboxMessage.kind == "email")
    for n in range(5):
        raw = compose(
            sender="helpdesk@other.example",
            subject=f"[#99] Re: ticket received ({n})",
            body="We got your message.",
            headers={"Auto-Submitted": "auto-replied"},
        )
        assert (await post_raw(admin_client, raw, None)).json()["status"] == "ignored"
    statuses = []
    for n in range(5):
        raw = compose(sender="silly@other.example", subject=f"Ack {n}", body="ack")
        statuses.append((await post_raw(admin_client, raw)).json()["status"])
    assert statuses == ["created", "created", "created", "ignored", "ignored"]
    assert await OutboxMessage.count().where(OutboxMessage.kind == "email") == outbox_before


async def test_a_dsn_bounce_marks_the_address(admin_client: httpx.AsyncClient) -> None:
    first = compose(sender="gone@example.net", subject="Hello", body="hi")
    ticket_id = (await post_raw(admin_client, first, 201)).json()["ticket_id"]
    reply = await admin_client.post(
        f"/api/tickets/{ticket_id}/messages", json={"body": "Hello back", "public": True}
    )
    sent = await OutboxMessage.select().where(OutboxMessage.kind == "email").first()
    assert sent and sent["message_id"] == reply.json()["message_id"]
    soft = dsn(recipient="gone@example.net", status="4.2.2", original_message_id=sent["message_id"])
    result = (await post_raw(admin_client, soft, 200)).json()
    assert (result["status"], result["ticket_id"]) == ("bounce", ticket_id)
    address = await channels.bouncing_address(address="gone@example.net")
    assert address and (address["hard"], address["soft_bounces"]) == (False, 1)
    hard = dsn(recipient="gone@example.net", status="5.1.1", original_message_id=sent["message_id"])
    assert (await post_raw(admin_client, hard, 200)).json()["status"] == "bounce"
    address = await channels.bouncing_address(address="gone@example.net")
    assert address and address["hard"] and address["last_outbox"] == sent["id"]
    customer = await Customer.select(Customer.email_bounced).first()
    assert customer and customer["email_bounced"] is True
    assert await Ticket.count() == 1  # the bounces opened no ticket


async def test_raw_messages_are_purged_after_the_keep_period(
    admin_client: httpx.AsyncClient,
) -> None:
    raw = compose(sender="ann@example.com", subject="Old", body="old")
    result = (await post_raw(admin_client, raw, 201)).json()
    unreadable = (
        await post_raw(admin_client, (MAIL_FIXTURES / "16-no-from.eml").read_bytes())
    ).json()
    later = utcnow() + timedelta(days=31)
    assert await channels.purge_raw_messages(now=later, older_than_days=30) == 1
    gone = await admin_client.get(f"/api/channels/email/{result['email_id']}/raw")
    assert gone.status_code == 404
    kept = await admin_client.get(f"/api/channels/email/{unreadable['email_id']}/raw")
    assert kept.status_code == 200


async def test_a_file_name_cannot_inject_response_headers(admin_client: httpx.AsyncClient) -> None:
    raw = (
        b"From: mallory@evil.example\r\nSubject: file\r\nMessage-ID: <evil-name@evil.example>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee file\r\n"
        b"--b\r\nContent-Type: text/html\r\n"
        b"Content-Disposition: attachment; filename*=UTF-8''a%0D%0AX-Injected%3A%201.html\r\n\r\n"
        b"<script>alert(1)</script>\r\n--b--\r\n"
    )
    result = (await post_raw(admin_client, raw, 201)).json()
    (listed,) = (await admin_client.get(f"/api/tickets/{result['ticket_id']}/attachments")).json()
    assert listed["filename"] == "aX-Injected: 1.html"
    file = await admin_client.get(listed["url"])
    assert file.status_code == 200 and "x-injected" not in file.headers
    assert file.headers["content-type"].startswith("text/plain")  # sniffed: never text/html
    assert file.headers["content-disposition"].startswith("attachment;")
