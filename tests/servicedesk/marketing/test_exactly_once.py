"""A campaign to 1,000 customers reaches exactly those it may, exactly once each: not the
unsubscribed, the bounced or those without consent, not twice when sent again, and not
those the SMTP server refuses (counted as bounced, never retried)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx

from servicedesk.clock import utcnow
from servicedesk.marketing import service as marketing
from servicedesk.outbox.tasks import deliver_due
from tests.smtp import SmtpServer

from .conftest import address, create_campaign, create_segment, import_customers, report, send

COUNT = 1000


def unsubscribed(n: int) -> bool:
    return n % 10 == 0  # 10 %


def bounced(n: int) -> bool:
    return n % 20 == 1  # 5 %


def without_consent(n: int) -> bool:
    return n % 10 in (2, 3)  # 20 %


def refused_by_server(n: int) -> bool:
    return n % 100 == 4  # 1 %: hard bounces at send time


def reachable(n: int) -> bool:
    return not (unsubscribed(n) or bounced(n) or without_consent(n))


async def population(tmp_path: Path, smtp_server: SmtpServer) -> dict[int, int]:
    ids = await import_customers(tmp_path, COUNT, consent=lambda n: not without_consent(n))
    now = utcnow()
    await marketing.suppress(
        customer_ids=[ids[n] for n in ids if unsubscribed(n)], reason="unsubscribed", now=now
    )
    await marketing.suppress(
        customer_ids=[ids[n] for n in ids if bounced(n)], reason="bounced", now=now
    )
    smtp_server.refuse(*[address(n) for n in ids if refused_by_server(n)])
    return ids


def expected_addresses() -> set[str]:
    return {address(n) for n in range(COUNT) if reachable(n) and not refused_by_server(n)}


def received_per_address(smtp_server: SmtpServer) -> Counter[str]:
    return Counter(rcpt for r in smtp_server.received for rcpt in r.rcpt_tos)


async def test_campaign_reaches_exactly_the_reachable_customers_once_each(
    lead_client: httpx.AsyncClient, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    await population(tmp_path, smtp_server)
    campaign_id = await create_campaign(lead_client, await create_segment(lead_client))

    queued = await send(lead_client, campaign_id)
    assert queued["queued"] == 650
    assert queued["skipped_suppressed"] == 150 and queued["skipped_no_consent"] == 200
    await deliver_due()
    # Sent again, and the outbox swept again: nobody gets a second one.
    again = await send(lead_client, campaign_id)
    assert again["queued"] == 0 and again["already_decided"] == COUNT
    await deliver_due(now=utcnow() + timedelta(hours=1))

    per_address = received_per_address(smtp_server)
    assert set(per_address) == expected_addresses()
    assert set(per_address.values()) == {1}
    figures = await report(lead_client, campaign_id)
    assert figures["recipients"] == 650
    assert figures["sent"] == figures["delivered"] == 640
    assert figures["bounced"] == 10 and figures["failed"] == 0 and figures["pending"] == 0
    assert figures["skipped_suppressed"] == 150
    assert figures["skipped_no_consent"] == 200
    assert figures["skipped_frequency_cap"] == 0


async def test_every_campaign_email_names_its_one_click_unsubscribe(
    lead_client: httpx.AsyncClient, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    await import_customers(tmp_path, 3)
    campaign_id = await create_campaign(lead_client, await create_segment(lead_client))
    await send(lead_client, campaign_id)
    await deliver_due()

    assert len(smtp_server.messages) == 3
    for message in smtp_server.messages:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        web, mailto = [part.strip(" <>") for part in message["List-Unsubscribe"].split(",")]
        assert web.startswith("http://127.0.0.1:8000/u/")
        assert mailto.startswith("mailto:unsubscribe@desk.example?subject=unsubscribe%20")
        assert web in message.get_content()
        assert str(message["Subject"]).startswith("Hello Customer")
