"""What comes back from a campaign's recipients, and the links that let them answer: the
one-click unsubscribe (RFC 8058 headers, the signed token, the page) and bounce or
complaint reports."""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr
from typing import Any
from urllib.parse import quote

from servicedesk import signing
from servicedesk.actors import CUSTOMER
from servicedesk.customers.tables import CustomerIdentity
from servicedesk.db import write_transaction
from servicedesk.errors import Invalid, NotFound
from servicedesk.settings import get_settings

from . import service
from .tables import CampaignRecipient


def unsubscribe_token(recipient_id: int) -> str:
    return signing.token("unsubscribe", str(recipient_id))


def unsubscribe_headers(token: str) -> tuple[str, dict[str, str]]:
    """The one-click unsubscribe URL and the RFC 8058 headers naming it."""
    settings = get_settings()
    url = f"{settings.base_url}/u/{token}"
    domain = parseaddr(settings.mail_from)[1].partition("@")[2] or "localhost"
    mailto = f"mailto:unsubscribe@{domain}?subject={quote('unsubscribe ' + token)}"
    return url, {
        "List-Unsubscribe": f"<{url}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def footer(url: str) -> str:
    return (
        "\n\n--\nYou get this email because you agreed to hear from us."
        f"\nUnsubscribe with one click: {url}\n"
    )


async def _recipient_for(token: str) -> dict[str, Any]:
    value = signing.read("unsubscribe", token)
    recipient = None
    if value is not None and value.isdigit():
        recipient = (
            await CampaignRecipient.select(
                CampaignRecipient.id, CampaignRecipient.customer, CampaignRecipient.campaign
            )
            .where(CampaignRecipient.id == int(value))
            .first()
        )
    if not recipient:
        raise Invalid("this unsubscribe link is not valid", field="token")
    return dict(recipient)


async def unsubscribe_page(*, token: str) -> dict[str, Any]:
    """What the confirmation page shows: whether the customer is already unsubscribed."""
    recipient = await _recipient_for(token)
    consent = await service.consent_of(customer_id=recipient["customer"])
    return {"unsubscribed": "unsubscribed" in consent["suppressed"]}


async def unsubscribe(*, token: str, now: datetime) -> None:
    """One-click unsubscribe (RFC 8058): the customer is suppressed and their consent
    withdrawn, in one transaction; doing it again changes nothing."""
    recipient = await _recipient_for(token)
    async with write_transaction():
        await service.suppress(
            customer_ids=[recipient["customer"]],
            reason="unsubscribed",
            campaign_id=recipient["campaign"],
            now=now,
        )
        await service.set_consent(
            customer_ids=[recipient["customer"]],
            consent=False,
            source="unsubscribe",
            actor=CUSTOMER,
            now=now,
        )


async def record_bounce(*, email: str, kind: str, now: datetime) -> None:
    """A bounce or complaint reported after delivery: the customer is suppressed, and the
    latest campaign email they were sent counts as bounced."""
    owner = (
        await CustomerIdentity.select(CustomerIdentity.customer)
        .where(CustomerIdentity.key == f"email:{email.strip().lower()}")
        .first()
    )
    if not owner:
        raise NotFound(f"no customer has the address {email}", field="email")
    customer_id = int(owner["customer"])
    async with write_transaction():
        await service.suppress(
            customer_ids=[customer_id],
            reason="bounced" if kind == "bounce" else "complained",
            now=now,
        )
        if kind == "bounce":
            latest = (
                await CampaignRecipient.select(CampaignRecipient.id)
                .where(
                    CampaignRecipient.customer == customer_id,
                    CampaignRecipient.status == "queued",
                    CampaignRecipient.bounced_at.is_null(),
                )
                .order_by(CampaignRecipient.id, ascending=False)
                .first()
            )
            if latest:
                await CampaignRecipient.update({CampaignRecipient.bounced_at: now}).where(
                    CampaignRecipient.id == latest["id"]
                )
