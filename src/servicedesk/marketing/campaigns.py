"""Campaigns: one email to a segment, now or at a set time, or to one customer at a time
when an automation rule sends a triggered campaign; exactly once per recipient.

Each customer is decided once per campaign: queued (a campaign_recipient row and its outbox
email, written in one transaction) or skipped with the reason (no consent, suppressed,
frequency cap, no address). The recipient row's unique key (campaign, customer) makes a
second send, a retried batch, two senders at once or a rule firing again queue nobody twice;
the outbox delivers each email once (see outbox.tasks: a message that may have reached the
SMTP server is never sent again by itself). Unsubscribe links and bounces: responses.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from servicedesk import writes
from servicedesk.actors import Actor
from servicedesk.clock import as_utc
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, Invalid, NotFound
from servicedesk.outbox import service as outbox
from servicedesk.settings import get_settings

from . import queries, service, templates
from .delivery import CAMPAIGN_TOPIC
from .responses import footer, unsubscribe_headers, unsubscribe_token
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
KINDS = ("segment", "triggered")


# ---------------------------------------------------------------- editing


async def create_campaign(
    *,
    name: str,
    subject: str,
    body: str,
    actor: Actor,
    now: datetime,
    kind: str = "segment",
    segment_id: int | None = None,
    send_at: datetime | None = None,
) -> int:
    """A segment campaign (draft, or scheduled at send_at) or a triggered one (no segment,
    no send_at: the rules using it send it, status `active`)."""
    if kind == "triggered":
        if segment_id is not None:
            raise Invalid(
                "a triggered campaign has no segment: rules pick who gets it", field="segment_id"
            )
        if send_at is not None:
            raise Invalid("a triggered campaign is sent by rules, not at a time", field="send_at")
    elif kind == "segment":
        if segment_id is None:
            raise Invalid("a segment campaign names its segment", field="segment_id")
        await service.get_segment(segment_id=segment_id)
    else:
        raise Invalid(f"kind is one of {', '.join(KINDS)}", field="kind")
    templates.check(subject, body)
    _check_send_at(send_at)
    status = "active" if kind == "triggered" else "scheduled" if send_at else "draft"
    rows = await Campaign.insert(
        Campaign(
            name=name,
            kind=kind,
            segment=segment_id,
            subject=subject,
            body=body,
            status=status,
            send_at=send_at,
            created_by=actor.agent_id,
            created_at=now,
        )
    ).returning(Campaign.id)
    return int(rows[0]["id"])


async def find_or_create_triggered(
    *, name: str, subject: str, body: str, actor: Actor, now: datetime
) -> int:
    """The triggered campaign named `name` (the oldest, if several), created with this
    subject and body when there is none (rule templates name their campaigns so)."""
    found = (
        await Campaign.select(Campaign.id)
        .where(Campaign.name == name, Campaign.kind == "triggered")
        .order_by(Campaign.id)
        .first()
    )
    if found:
        return int(found["id"])
    return await create_campaign(
        name=name, kind="triggered", subject=subject, body=body, actor=actor, now=now
    )


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


async def triggered_ids() -> list[str]:
    """The ids a rule's `send_campaign` action may name (the rule editor's picker)."""
    rows = await Campaign.select(Campaign.id).where(Campaign.kind == "triggered")
    return [str(row["id"]) for row in sorted(rows, key=lambda row: row["id"])]


async def update_campaign(*, campaign_id: int, changes: dict[str, Any]) -> None:
    """Edits a segment campaign that has not been sent yet, or a triggered one (its next
    emails use the new text); the kind does not change."""
    async with write_transaction():
        campaign = await get_campaign(campaign_id=campaign_id)
        triggered = campaign["kind"] == "triggered"
        if not triggered and campaign["status"] not in ("draft", "scheduled"):
            raise Conflict("a campaign that was sent cannot be edited", field="campaign_id")
        for name in ("segment_id", "send_at"):
            if triggered and changes.get(name) is not None:
                raise Invalid(f"a triggered campaign has no {name}", field=name)
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
        if "send_at" in changes and not triggered:
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
        "subject": templates.subject_line(subject, customer),
        "body": templates.render(body, customer, field="body"),
    }


async def send_test(*, campaign_id: int, to: str, now: datetime) -> None:
    """Mails the campaign to `to` (the signed-in agent), as the segment's first member (a
    sample customer for a triggered campaign or an empty segment) would get it; nobody is
    unsubscribed by its link."""
    campaign = await get_campaign(campaign_id=campaign_id)
    customer = templates.SAMPLE_CUSTOMER
    if campaign["segment"] is not None:
        conditions = await service.segment_conditions(segment_id=campaign["segment"])
        where, args = compile_conditions(conditions, now=now)
        first = await queries.audience_page(
            where=where, args=args, after_id=0, limit=1, cap_since=None
        )
        customer = templates.customer_context(first[0]) if first else customer
    async with write_transaction():
        await outbox.queue_emails(
            [
                outbox.Email(
                    to=to,
                    subject=templates.subject_line(campaign["subject"], customer, prefix="[Test] "),
                    body=templates.render(campaign["body"], customer, field="body")
                    + footer(f"{get_settings().base_url}/u/test"),
                    topic="campaign_test",
                )
            ],
            now=now,
        )


# ---------------------------------------------------------------- sending


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


def _cap(now: datetime) -> tuple[int, datetime | None]:
    """The frequency cap (0: none) and the start of its window."""
    settings = get_settings()
    cap = settings.marketing_cap_emails if settings.marketing_cap_days else 0
    return cap, now - timedelta(days=settings.marketing_cap_days) if cap else None


def _counts() -> dict[str, int]:
    return dict.fromkeys(("queued", *SKIP_REASONS, "already_decided"), 0)


async def send_campaign(*, campaign_id: int, actor: Actor, now: datetime) -> dict[str, int]:
    """Queues the campaign's email for every member of its segment not decided yet, 500
    members per transaction; calling it again (or after a crash half-way) only adds those
    not decided before. Returns the counts of this call's decisions."""
    campaign = await get_campaign(campaign_id=campaign_id)
    if campaign["kind"] == "triggered":
        raise Conflict("a triggered campaign is sent by the rules that use it", field="campaign_id")
    conditions = await service.segment_conditions(segment_id=campaign["segment"])
    where, args = compile_conditions(conditions, now=now)
    cap, cap_since = _cap(now)
    counts = _counts()
    await Campaign.update(
        {Campaign.status: "sending", Campaign.queued_at: campaign["queued_at"] or now}
    ).where(Campaign.id == campaign_id)
    after = 0
    while page := await queries.audience_page(
        where=where, args=args, after_id=after, limit=PAGE, cap_since=cap_since
    ):
        after = int(page[-1]["id"])
        await _queue_page(campaign, page, cap, now, counts, cause=actor.label)
    await Campaign.update({Campaign.status: "sent"}).where(Campaign.id == campaign_id)
    return counts


async def send_triggered(*, campaign_id: int, customer_id: int, actor: Actor, now: datetime) -> str:
    """Decides one customer of a triggered campaign (an automation rule's `send_campaign`),
    in the caller's transaction, exactly as a segment member is decided: queued with its
    email, or skipped and counted; `already_decided` when this customer was decided for
    this campaign before (whatever the outcome then). Returns the decision."""
    campaign = await get_campaign(campaign_id=campaign_id)
    if campaign["kind"] != "triggered":
        raise Invalid(f"campaign {campaign_id} is not a triggered campaign", field="campaign_id")
    cap, cap_since = _cap(now)
    member = await queries.audience_page(
        where="c.id = {}", args=[customer_id], after_id=0, limit=1, cap_since=cap_since
    )
    if not member:
        raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
    counts = _counts()
    async with write_transaction():
        if campaign["queued_at"] is None:  # the report's before/after windows start here
            await Campaign.update({Campaign.queued_at: now}).where(Campaign.id == campaign_id)
        await _queue_page(campaign, member, cap, now, counts, cause=actor.label)
    return next(decision for decision, n in counts.items() if n)


async def _queue_page(
    campaign: dict[str, Any],
    page: list[dict[str, Any]],
    cap: int,
    now: datetime,
    counts: dict[str, int],
    *,
    cause: str,
) -> None:
    members = {int(member["id"]): member for member in page}
    async with write_transaction():
        inserted = await writes.insert_rows(
            CampaignRecipient,
            [
                {
                    "campaign": campaign["id"],
                    "customer": customer_id,
                    "key": f"{campaign['id']}:{customer_id}",
                    "status": _decide(member, cap),
                    "queued_at": now,
                    "cause": cause[:200],
                }
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
            url, headers = unsubscribe_headers(unsubscribe_token(int(row["id"])))
            emails.append(
                outbox.Email(
                    to=str(member["email"]),
                    subject=templates.subject_line(campaign["subject"], customer),
                    body=templates.render(campaign["body"], customer, field="body") + footer(url),
                    topic=CAMPAIGN_TOPIC,
                    headers=headers,
                    customer_id=int(row["customer"]),
                    recipient_id=int(row["id"]),
                )
            )
            recipients.append(int(row["id"]))
        outbox_ids = await outbox.queue_emails_with_ids(emails, now=now)
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


# ---------------------------------------------------------------- report


async def lead_figures(campaign_id: int) -> tuple[int, list[dict[str, Any]]]:
    """Leads attributed to the campaign and the value of those won, per currency
    ([{currency, amount}] sorted; docs/sales.md)."""
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
