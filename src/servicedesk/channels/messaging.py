"""Chat and social doors: messages a chat widget or a platform's bridge posts, signed with
the secret of the integration an admin configured for (kind, platform).

A conversation threads into one ticket: the ticket of its latest message (a solved ticket
reopens, a closed one gets a follow-up ticket, which the conversation continues in). The
customer is found or created by the social identity "<platform>:<handle>" (and the email a
chat widget may ask for). A message id seen before changes nothing."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from servicedesk.clock import utcnow
from servicedesk.customers.service import ContactIdentity
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, Invalid, NotFound, Unauthorized
from servicedesk.outbox.addresses import check_url
from servicedesk.outbox.http import SIGNATURE_HEADER, verify
from servicedesk.settings import get_settings
from servicedesk.tickets import service as tickets

from .schemas import ChannelMessageIn
from .tables import ChannelIntegration, ChannelMessage

KINDS = ("chat", "social")


# ---------------------------------------------------------------- integrations (admins)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """An integration as admins see it: never its secret. Its door as the bridge must call
    it: at BASE_URL, the desk's public address (behind a proxy, not the admin's)."""
    found = {k: v for k, v in row.items() if k not in ("secret", "key")}
    settings = get_settings()
    return found | {
        "inbound_url": f"{settings.base_url.rstrip('/')}/api/channels/{row['kind']}/inbound",
        "signature_header": SIGNATURE_HEADER,
        "signature_tolerance_seconds": settings.channel_signature_tolerance_seconds,
    }


async def _row(integration_id: int) -> dict[str, Any]:
    row = await ChannelIntegration.select().where(ChannelIntegration.id == integration_id).first()
    if row is None:
        raise NotFound(f"integration {integration_id} does not exist", field="id")
    return dict(row)


async def list_integrations() -> list[dict[str, Any]]:
    rows = await ChannelIntegration.select().order_by(ChannelIntegration.id)
    return [_public(row) for row in rows]


async def get_integration(*, integration_id: int) -> dict[str, Any]:
    return _public(await _row(integration_id))


async def create_integration(
    *,
    kind: str,
    platform: str,
    name: str,
    reply_url: str | None,
    active: bool = True,
    now: datetime | None = None,
) -> tuple[dict[str, Any], str]:
    """A new integration and its generated secret (returned this once)."""
    now = now or utcnow()
    if kind not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if reply_url:
        await check_url(reply_url, field="reply_url")
    key = f"{kind}:{platform}"
    if await ChannelIntegration.exists().where(ChannelIntegration.key == key):
        raise Conflict(f"there is already a {kind} integration for {platform}", field="platform")
    secret = secrets.token_hex(32)
    rows = await ChannelIntegration.insert(
        ChannelIntegration(
            kind=kind,
            platform=platform,
            key=key,
            name=name.strip(),
            secret=secret,
            reply_url=reply_url or "",
            active=active,
            created_at=now,
            updated_at=now,
        )
    )
    return await get_integration(integration_id=int(rows[0]["id"])), secret


async def update_integration(
    *, integration_id: int, changes: dict[str, Any], now: datetime | None = None
) -> dict[str, Any]:
    await _row(integration_id)
    values: dict[Any, Any] = {ChannelIntegration.updated_at: now or utcnow()}
    if changes.get("name") is not None:
        values[ChannelIntegration.name] = changes["name"].strip()
    if "reply_url" in changes:
        if changes["reply_url"]:
            await check_url(changes["reply_url"], field="reply_url")
        values[ChannelIntegration.reply_url] = changes["reply_url"] or ""
    if changes.get("active") is not None:
        values[ChannelIntegration.active] = changes["active"]
    await ChannelIntegration.update(values).where(ChannelIntegration.id == integration_id)
    return await get_integration(integration_id=integration_id)


async def rotate_secret(*, integration_id: int, now: datetime | None = None) -> tuple[dict, str]:
    """A new secret (returned this once); the old one stops working at once."""
    await _row(integration_id)
    secret = secrets.token_hex(32)
    await ChannelIntegration.update(
        {ChannelIntegration.secret: secret, ChannelIntegration.updated_at: now or utcnow()}
    ).where(ChannelIntegration.id == integration_id)
    return await get_integration(integration_id=integration_id), secret


# ---------------------------------------------------------------- inbound messages


@dataclass(frozen=True)
class Received:
    status: str  # created | threaded | duplicate
    ticket_id: int
    interaction_id: int | None


async def _authenticate(kind: str, raw: bytes, header: str | None) -> tuple[dict, ChannelMessageIn]:
    """The integration whose secret signed the body, and the message; 401 for a missing,
    forged or stale signature (or no such active integration), 400/422 for a bad body."""
    if kind not in KINDS:
        raise NotFound(f"no {kind} door; one of {', '.join(KINDS)}", field="kind")
    try:
        platform = json.loads(raw).get("platform")
    except (ValueError, AttributeError) as exc:
        raise Invalid("the body must be a JSON object", field="body") from exc
    integration = None
    if isinstance(platform, str):
        integration = (
            await ChannelIntegration.select()
            .where(
                ChannelIntegration.key == f"{kind}:{platform}",
                ChannelIntegration.active.eq(True),
            )
            .first()
        )
    if integration is None:
        raise Unauthorized(f"no active {kind} integration for this platform", field="platform")
    if not header:
        raise Unauthorized(f"the {SIGNATURE_HEADER} header is missing", field=SIGNATURE_HEADER)
    tolerance = get_settings().channel_signature_tolerance_seconds
    why = verify(integration["secret"], raw, header, now=time.time(), tolerance=tolerance)
    if why:
        raise Unauthorized(why, field=SIGNATURE_HEADER)
    try:
        message = ChannelMessageIn.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise Invalid(f"{field}: {first['msg']}", field=field) from exc
    return integration, message


async def _latest_ticket(integration_id: int, conversation: str, handle: str) -> int | None:
    """The ticket of the conversation's latest message from this sender."""
    row = (
        await ChannelMessage.select(ChannelMessage.ticket)
        .where(
            ChannelMessage.integration == integration_id,
            ChannelMessage.conversation_id == conversation,
            ChannelMessage.handle == handle,
        )
        .order_by(ChannelMessage.id, ascending=False)
        .first()
    )
    return int(row["ticket"]) if row else None


async def _first_thread(kind: str, integration_id: int, conversation: str) -> tickets.ThreadRef:
    """A sender's first message in a conversation opens a ticket. The conversation's very
    first names it as the ticket's external id, so two first messages racing meet at its
    unique index (and retry); another person joining a conversation (a public thread on a
    social platform) gets a ticket of their own, as on a CC'd email."""
    known = await ChannelMessage.exists().where(
        ChannelMessage.integration == integration_id,
        ChannelMessage.conversation_id == conversation,
    )
    if known:
        return tickets.ThreadRef()
    return tickets.ThreadRef(external_id=f"{kind}:{integration_id}:{conversation}")


async def receive_message(
    *, kind: str, raw: bytes, signature: str | None, now: datetime | None = None
) -> Received:
    """Checks and records one message of a chat or social bridge, threading it into its
    conversation's ticket."""
    now = now or utcnow()
    integration, message = await _authenticate(kind, raw, signature)
    key = f"{integration['id']}:{message.message_id}"
    conversation = message.conversation_id
    for _attempt in range(3):
        try:
            async with write_transaction():
                known = await ChannelMessage.select().where(ChannelMessage.key == key).first()
                if known:
                    return Received("duplicate", known["ticket"], known["interaction"])
                latest = await _latest_ticket(integration["id"], conversation, message.handle)
                thread = (
                    tickets.ThreadRef(ticket_id=latest)
                    if latest
                    else await _first_thread(kind, integration["id"], conversation)
                )
                contact = tickets.Contact(
                    channel=kind,
                    identity=ContactIdentity(
                        social=f"{message.platform}:{message.handle}",
                        email=message.email,
                        name=message.display_name or message.handle,
                    ),
                    subject=message.subject or f"{integration['name']}: {message.text[:60]}",
                    body=message.text,
                    thread=thread,
                )
                ticket_id, interaction_id = await tickets.receive_contact(contact=contact, now=now)
                await ChannelMessage.insert(
                    ChannelMessage(
                        integration=integration["id"],
                        key=key,
                        conversation_id=conversation,
                        handle=message.handle,
                        permalink=message.permalink or "",
                        sent_at=message.sent_at,
                        ticket=ticket_id,
                        interaction=interaction_id,
                        received_at=now,
                    )
                )
                threaded = latest == ticket_id
                return Received("threaded" if threaded else "created", ticket_id, interaction_id)
        except tickets.UNIQUE_VIOLATIONS:
            continue  # the same message, or a first one of the conversation, raced
    raise Conflict("the message conflicted with concurrent deliveries; deliver it again")
