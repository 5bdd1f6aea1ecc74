"""Campaigns: one email to a segment, now or at a set time, exactly once per recipient.

Each member of the segment is decided once per campaign, when the campaign is sent: queued
(a campaign_recipient row and its outbox email, written in one transaction) or skipped with
the reason (no consent, suppressed, frequency cap, no address). The recipient row's unique
key (campaign, customer) makes a second send, a retried batch or two senders at once queue
nobody twice; the outbox delivers each email once (see outbox.tasks: a message that may
have reached the SMTP server is never sent again by itself)."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import quote

from servicedesk import signing, statements, writes
from servicedesk.actors import CUSTOMER, Actor
from servicedesk.clock import as_utc
from servicedesk.customers.tables import CustomerIdentity
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, Invalid, NotFound
from servicedesk.outbox import service as outbox
from servicedesk.settings import get_settings

from . import queries, service, templates
from .delivery import CAMPAIGN_TOPIC
from .segments import compile_conditions
from .tables import Campaign, CampaignRecipient

PAGE = 500
REPLY_WINDOW = timedelta(days=7)
SCORE_WINDOW = timedelta(days=30)
SKIP_REASONS = (
    "skipped_no_consent",
    "skipped_suppressed",
    "skipped_frequency_cap",
    "skipped_no_address",
)


# ---------------------------------------------------------------- editing


async def create_campaign(
    *,
    name: str,
    segment_id: int,
    subject: str,
    body: str,
    send_at: datetime | None,
    actor: Actor,
    now: datetime,
) -> int:
    await service.get_segment(segment_id=segment_id)
    templates.check(subject, body)
    _check_send_at(send_at)
    rows = await Campaign.insert(
        Campaign(
            name=name,
            segment=segment_id,
            subject=subject,
            body=body,
            status="scheduled" if send_at else "draft",
            send_at=send_at,
            created_by=actor.agent_id,
            created_at=now,
        )
    ).returning(Campaign.id)
    return int(rows[0]["id"])


def _check_send_at(send_at: datetime | None) -> None:
    if send_at is not None and send_at.tzinfo is None:
        raise Invalid("send_at needs a time zone, e.g. 2026-01-01T09:00:00Z", field="send_at")


async def get_campaign(*, campaign_id: int) -> dict[str, Any]:
    row = await Campaign.select().where(Campaign.id == campaign_id).first()
    if not row:
        raise NotFound(f"campaign {campaign_id} does not exist", field="campaign_id")
    return dict(row)


async def list_campaigns() -> list[dict[str, Any]]:
    return list(await Campaign.select().order_by(Campaign.id, ascending=False))


async def update_campaign(*, campaign_id: int, changes: dict[str, Any]) -> None:
    """Edits a campaign that has not been sent yet."""
    async with write_transaction():
        campaign = await get_campaign(campaign_id=campaign_id)
        if campaign["status"] not in ("draft", "scheduled"):
            raise Conflict("a campaign that was sent cannot be edited", field="campaign_id")
        if changes.get("segment_id") is not None:
            await service.get_segment(segment_id=changes["segment_id"])
        subject = changes.get("subject") or campaign["subject"]
        body = changes.get("body") or campaign["body"]
        templates.check(subject, body)
        values: dict[Any, Any] = {Campaign.subject: subject, Campaign.body: body}
        if changes.get("name"):
            values[Campaign.name] = changes["name"]
        if changes.get("segment_id") is not None:
            values[Campaign.segment] = changes["segment_id"]
        if "send_at" in changes:
            _check_send_at(changes["send_at"])
            values[Campaign.send_at] = changes["send_at"]
            values[Campaign.status] = "scheduled" if changes["send_at"] else "draft"
        await Campaign.update(values).where(Campaign.id == campaign_id)


# ---------------------------------------------------------------- preview and test send


async def preview(*, subject: str, body: str, customer_id: int | None = None) -> dict[str, str]:
    """The email as one customer (or a sample one) would get it."""
    customer = templates.SAMPLE_CUSTOMER
    if customer_id is not None:
        rows = await queries.audience_page(
            where="c.id = {}", args=[customer_id], after_id=0, limit=1, cap_since=None
        )
        if not rows:
            raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
        customer = templates.customer_context(rows[0])
    return {
        "subject": templates.render(subject, customer, field="subject"),
        "body": templates.render(body, customer, field="body"),
    }


async def send_test(*, campaign_id: int, to: str, now: datetime) -> None:
    """Mails the campaign to `to` (the signed-in agent), as the segment's first member
    (or a sample customer) would get it; nobody is unsubscribed by its link."""
    campaign = await get_campaign(campaign_id=campaign_id)
    conditions = await service.segment_conditions(segment_id=campaign["segment"])
    where, args = compile_conditions(conditions, now=now)
    first = await queries.audience_page(where=where, args=args, after_id=0, limit=1, cap_since=None)
    customer = templates.customer_context(first[0]) if first else templates.SAMPLE_CUSTOMER
    async with write_transaction():
        await outbox.queue_emails(
            [
                outbox.Email(
                    to=to,
                    subject="[Test] "
                    + templates.render(campaign["subject"], customer, field="subject"),
                    body=templates.render(campaign["body"], customer, field="body")
                    + _footer(f"{get_settings().base_url}/u/test"),
                    topic="campaign_test",
                )
            ],
            now=now,
        )


# ---------------------------------------------------------------- sending


def unsubscribe_token(recipient_id: int) -> str:
    return signing.token("unsubscribe", str(recipient_id))


def _unsubscribe_headers(token: str) -> tuple[str, dict[str, str]]:
    """The one-click unsubscribe URL and the RFC 8058 headers naming it."""
    settings = get_settings()
    url = f"{settings.base_url}/u/{token}"
    domain = parseaddr(settings.mail_from)[1].partition("@")[2] or "localhost"
    mailto = f"mailto:unsubscribe@{domain}?subject={quote('unsubscribe ' + token)}"
    return url, {
        "List-Unsubscribe": f"<{url}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _footer(url: str) -> str:
    return (
        "\n\n--\nYou get this email because you agreed to hear from us."
        f"\nUnsubscribe with one click: {url}\n"
    )


def _decide(member: dict[str, Any], cap: int) -> str:
    if not member["email"]:
        return "skipped_no_address"
    if member["suppressed"] or member["bounced"]:
        return "skipped_suppressed"
    if not member["consent"]:
        return "skipped_no_consent"
    if cap and int(member["recent"]) >= cap:
        return "skipped_frequency_cap"
    return "queued"


async def send_campaign(*, campaign_id: int, actor: Actor, now: datetime) -> dict[str, int]:
    """Queues the campaign's email for every member of its segment not decided yet, 500
    members per transaction; calling it again (or after a crash half-way) only adds those
    not decided before. Returns the counts of this call's decisions."""
    campaign = await get_campaign(campaign_id=campaign_id)
    conditions = await service.segment_conditions(segment_id=campaign["segment"])
    where, args = compile_conditions(conditions, now=now)
    settings = get_settings()
    cap = settings.marketing_cap_emails if settings.marketing_cap_days else 0
    cap_since = now - timedelta(days=settings.marketing_cap_days) if cap else None
    counts = dict.fromkeys(("queued", *SKIP_REASONS, "already_decided"), 0)
    await Campaign.update(
        {Campaign.status: "sending", Campaign.queued_at: campaign["queued_at"] or now}
    ).where(Campaign.id == campaign_id)
    after = 0
    while page := await queries.audience_page(
        where=where, args=args, after_id=after, limit=PAGE, cap_since=cap_since
    ):
        after = int(page[-1]["id"])
        await _queue_page(campaign, page, cap, now, counts)
    await Campaign.update({Campaign.status: "sent"}).where(Campaign.id == campaign_id)
    return counts


async def _queue_page(
    campaign: dict[str, Any],
    page: list[dict[str, Any]],
    cap: int,
    now: datetime,
    counts: dict[str, int],
) -> None:
    members = {int(member["id"]): member for member in page}
    async with write_transaction():
        inserted = await writes.insert_rows(
            CampaignRecipient,
            [
                statements.fill_defaults(
                    CampaignRecipient,
                    {
                        "campaign": campaign["id"],
                        "customer": customer_id,
                        "key": f"{campaign['id']}:{customer_id}",
                        "status": _decide(member, cap),
                        "queued_at": now,
                    },
                )
                for customer_id, member in members.items()
            ],
            returning=("id", "customer", "status"),
            skip_conflicts_on="key",
        )
        counts["already_decided"] += len(members) - len(inserted)
        emails, recipients = [], []
        for row in inserted:
            counts[row["status"]] += 1
            if row["status"] != "queued":
                continue
            member = members[int(row["customer"])]
            customer = templates.customer_context(member)
            url, headers = _unsubscribe_headers(unsubscribe_token(int(row["id"])))
            emails.append(
                outbox.Email(
                    to=str(member["email"]),
                    subject=templates.render(campaign["subject"], customer, field="subject"),
                    body=templates.render(campaign["body"], customer, field="body") + _footer(url),
                    topic=CAMPAIGN_TOPIC,
                    headers=headers,
                    customer_id=int(row["customer"]),
                    recipient_id=int(row["id"]),
                )
            )
            recipients.append(int(row["id"]))
        outbox_ids = await outbox.queue_emails(emails, now=now)
        await writes.update_many(
            CampaignRecipient, "id", "outbox", list(zip(outbox_ids, recipients, strict=True))
        )


async def send_due_campaigns(*, now: datetime, actor: Actor) -> list[int]:
    """Sends the scheduled campaigns whose time has come (the worker's minute task)."""
    due = await Campaign.select(Campaign.id).where(
        Campaign.status == "scheduled", Campaign.send_at <= now
    )
    for row in due:
        await send_campaign(campaign_id=row["id"], actor=actor, now=now)
    return [int(row["id"]) for row in due]


# ---------------------------------------------------------------- unsubscribe and bounces


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


# ---------------------------------------------------------------- report


async def lead_figures(campaign_id: int) -> tuple[int, float]:
    """Leads attributed to the campaign and the value of those won (docs/sales.md)."""
    from servicedesk.sales.queries import campaign_figures  # sales builds on marketing

    return await campaign_figures(campaign_id)


async def report(*, campaign_id: int) -> dict[str, Any]:
    """Who the campaign reached and what followed (docs/marketing.md defines each figure)."""
    campaign = await get_campaign(campaign_id=campaign_id)
    counts = await queries.recipient_counts(campaign_id=campaign_id)

    def delivery(status: str) -> int:
        return counts.get(f"delivery:{status}", 0)

    cancelled = {reason: counts.get(f"cancelled:{reason}", 0) for reason in SKIP_REASONS}
    leads, won_value = await lead_figures(campaign_id)
    late_bounces = counts.get("late_bounce", 0)
    queued = sum(v for k, v in counts.items() if k.startswith("delivery:"))
    start = as_utc(campaign["queued_at"]) if campaign["queued_at"] else None
    scores: dict[str, float | None] = {}
    for kind in ("csat", "nps"):
        for label, window in (
            ("before", (-SCORE_WINDOW, timedelta(0))),
            ("after", (timedelta(0), SCORE_WINDOW)),
        ):
            scores[f"{kind}_{label}"] = (
                await queries.score_of_recipients(
                    campaign_id=campaign_id,
                    kind=kind,
                    start=start + window[0],
                    end=start + window[1],
                )
                if start
                else None
            )
    return {
        "campaign_id": campaign_id,
        "recipients": queued - delivery("cancelled"),
        "sent": delivery("sent"),
        "delivered": delivery("sent") - late_bounces,
        "failed": delivery("failed"),
        "unknown": delivery("unknown"),
        "bounced": delivery("bounced") + late_bounces,
        "pending": delivery("pending") + delivery("sending"),
        "unsubscribed": await queries.unsubscribed(campaign_id=campaign_id),
        **{reason: counts.get(reason, 0) + cancelled[reason] for reason in SKIP_REASONS},
        "replies": await queries.replies(campaign_id=campaign_id, within=REPLY_WINDOW)
        if start
        else 0,
        "leads": leads,
        "won_value": won_value,
        **scores,
    }
