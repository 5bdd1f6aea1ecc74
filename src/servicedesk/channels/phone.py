"""Phone: calls agents log (on a ticket, or from a customer's profile) and calls a CTI
system reports (call.started, call.ended), each an interaction of kind "call" on the
ticket's timeline with its details in phone_call.

A call counts for the CX facts as any phone contact does (docs/channels.md, "Phone"): an
inbound call is a customer contact (tickets' inbound rule: it reopens a solved ticket); an
outbound call that reached the customer (answered, voicemail, callback requested) is a
public reply; one that did not (no answer, busy, failed) is kept on the timeline but is
no reply. A call is counted at its start, never before the ticket's last activity nor in
the future.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from servicedesk import writes
from servicedesk.actors import CUSTOMER, Actor
from servicedesk.clock import as_utc, utcnow
from servicedesk.customers import service as customers
from servicedesk.customers.identities import e164
from servicedesk.customers.service import ContactIdentity
from servicedesk.customers.tables import Customer
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, Invalid, NotFound
from servicedesk.settings import get_settings
from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import Ticket

from .schemas import CallOut
from .tables import PhoneCall

RECORDING_URL = re.compile(r"^https?://\S+$")
DIRECTIONS = ("inbound", "outbound")
OUTCOMES = ("answered", "no_answer", "voicemail", "callback_requested", "busy", "failed")
NOT_REACHED = ("no_answer", "busy", "failed")
# What CTI systems send for a caller who hides their number.
WITHHELD = ("", "anonymous", "withheld", "private", "restricted", "unknown")
WITHHELD_CALLER = ContactIdentity(external_id="phone:withheld", name="Withheld number")


@dataclass(frozen=True)
class Call:
    """A call an agent logs."""

    direction: str
    started_at: datetime
    duration_seconds: int
    outcome: str
    notes: str = ""


def counts_as_reply(direction: str, outcome: str) -> bool:
    return direction == "outbound" and outcome not in NOT_REACHED


def summary(direction: str, outcome: str, duration: int | None) -> str:
    """ "Inbound call, answered, 4 min 5 s": the interaction's text when there are no notes."""
    parts = [f"{direction.capitalize()} call"]
    if outcome:
        parts.append(outcome.replace("_", " "))
    if duration:
        minutes, seconds = divmod(duration, 60)
        parts.append(f"{minutes} min {seconds} s" if minutes else f"{seconds} s")
    return ", ".join(parts)


def _counted_at(started_at: datetime, ticket: dict[str, Any] | None, now: datetime) -> datetime:
    """The call's start, not before the ticket's last activity nor after now (the facts
    and SLA clocks move forward only)."""
    at = min(as_utc(started_at), now)
    if ticket is not None:
        at = max(at, as_utc(ticket["updated_at"]))
    return at


async def _record(
    *,
    ticket: dict[str, Any],
    direction: str,
    body: str,
    at: datetime,
    actor: Actor,
    quiet: bool,
    call: dict[str, Any],
) -> int:
    """The call's interaction (through the ticket rules) and its phone_call row; returns
    the phone_call id."""
    if direction == "inbound":
        interaction_id = await tickets.add_inbound_message(
            ticket_id=int(ticket["id"]),
            channel="phone",
            body=body,
            now=at,
            quiet=quiet,
            ticket=ticket,
            kind="call",
        )
    else:
        reached = counts_as_reply(direction, call.get("outcome", ""))
        interaction_id = await tickets.add_agent_message(
            ticket_id=int(ticket["id"]),
            actor=actor,
            body=body,
            public=reached,
            now=at,
            channel="phone",
            quiet=not reached,  # a call attempt is no note.added either
            kind="call",
        )
    row = {"ticket": ticket["id"], "interaction": interaction_id, "direction": direction, **call}
    return await writes.insert(PhoneCall, row)


async def _open_ticket(
    customer_id: int, subject: str, at: datetime, actor: Actor
) -> dict[str, Any]:
    return await tickets.open_ticket(
        customer_id=customer_id, channel="phone", subject=subject, now=at, actor=actor
    )


async def log_call(*, ticket_id: int, call: Call, actor: Actor, now: datetime | None = None) -> int:
    """An agent logs a call on a ticket; returns the phone_call id."""
    now = now or utcnow()
    async with write_transaction():
        ticket = await tickets.get_ticket(ticket_id=ticket_id)
        if ticket["status"] == "closed":
            raise Conflict("a closed ticket takes no calls; log it on a new ticket", field="ticket")
        return await _log(ticket, call, actor, now, opened=False)


async def _log(
    ticket: dict[str, Any], call: Call, actor: Actor, now: datetime, *, opened: bool
) -> int:
    at = _counted_at(call.started_at, None if opened else ticket, now)
    details = {
        "started_at": as_utc(call.started_at),
        "ended_at": as_utc(call.started_at) + timedelta(seconds=call.duration_seconds),
        "duration_seconds": call.duration_seconds,
        "outcome": call.outcome,
        "notes": call.notes,
        "source": "agent",
    }
    body = call.notes.strip() or summary(call.direction, call.outcome, call.duration_seconds)
    return await _record(
        ticket=ticket,
        direction=call.direction,
        body=body,
        at=at,
        actor=actor,
        quiet=opened,
        call=details,
    )


async def log_customer_call(
    *,
    customer_id: int,
    call: Call,
    actor: Actor,
    ticket_id: int | None = None,
    subject: str = "",
    now: datetime | None = None,
) -> tuple[int, int]:
    """An agent logs a call from a customer's profile: on the customer's ticket
    `ticket_id`, or on a new phone ticket. Returns (ticket id, phone_call id)."""
    now = now or utcnow()
    async with write_transaction():
        customer = (
            await Customer.select(Customer.merged_into).where(Customer.id == customer_id).first()
        )
        if customer is None:
            raise NotFound(f"customer {customer_id} does not exist", field="customer_id")
        if customer["merged_into"] is not None:
            raise Conflict(
                f"customer {customer_id} was merged into {customer['merged_into']}",
                field="customer_id",
            )
        if ticket_id is not None:
            ticket = await tickets.get_ticket(ticket_id=ticket_id)
            if ticket["customer"] != customer_id:
                raise Conflict("the ticket belongs to another customer", field="ticket_id")
            return ticket_id, await log_call(ticket_id=ticket_id, call=call, actor=actor, now=now)
        at = min(as_utc(call.started_at), now)
        title = subject.strip() or summary(call.direction, call.outcome, None)
        ticket = await _open_ticket(customer_id, title, at, actor)
        return int(ticket["id"]), await _log(ticket, call, actor, now, opened=True)


# ---------------------------------------------------------------- CTI


@dataclass(frozen=True)
class CtiResult:
    """What a CTI event did: created (a new ticket), threaded (an open one continued),
    ended (the call completed), duplicate (a repeat: nothing changed)."""

    status: str
    call_id: str
    ticket_id: int
    interaction_id: int


async def _by_call_id(call_id: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await PhoneCall.select().where(PhoneCall.call_id == call_id).first()
    )
    return row


async def _open_phone_ticket(customer_id: int, now: datetime) -> dict[str, Any] | None:
    """The caller's open phone ticket with activity in the last PHONE_TICKET_HOURS."""
    since = now - timedelta(hours=get_settings().phone_ticket_hours)
    row: dict[str, Any] | None = (
        await Ticket.select()
        .where(
            Ticket.customer == customer_id,
            Ticket.channel == "phone",
            Ticket.status.is_in(list(tickets.WORKING)),
            Ticket.updated_at >= since,
        )
        .order_by(Ticket.updated_at, ascending=False)
        .first()
    )
    return row


async def call_started(
    *, call_id: str, caller: str, to: str, started_at: datetime, now: datetime | None = None
) -> CtiResult:
    """CTI: an inbound call began. The caller's open phone ticket of the last hours takes
    it, else a new ticket; a call_id seen before changes nothing."""
    now = now or utcnow()
    withheld = caller.strip().lower() in WITHHELD
    number = "" if withheld else e164(caller, field="from")
    ours = e164(to, field="to") if to.strip() else ""
    for _attempt in range(3):
        try:
            async with write_transaction():
                known = await _by_call_id(call_id)
                if known:
                    return CtiResult("duplicate", call_id, known["ticket"], known["interaction"])
                identity = WITHHELD_CALLER if withheld else ContactIdentity(phone=number)
                customer_id = (await customers.identify_sender(identity=identity, now=now)).id
                ticket = await _open_phone_ticket(customer_id, now)
                opened = ticket is None
                at = _counted_at(started_at, ticket, now)
                if ticket is None:
                    title = f"Phone call from {number or 'a withheld number'}"
                    ticket = await _open_ticket(customer_id, title, at, CUSTOMER)
                call = {
                    "call_id": call_id,
                    "from_number": number,
                    "to_number": ours,
                    "started_at": as_utc(started_at),
                    "source": "cti",
                }
                await _record(
                    ticket=ticket,
                    direction="inbound",
                    body=summary("inbound", "", None) + (f" from {number}" if number else ""),
                    at=at,
                    actor=CUSTOMER,
                    quiet=opened,
                    call=call,
                )
                row = await _by_call_id(call_id)
                assert row is not None
                status = "created" if opened else "threaded"
                return CtiResult(status, call_id, int(ticket["id"]), int(row["interaction"]))
        except tickets.UNIQUE_VIOLATIONS:
            continue  # a concurrent delivery of this call (or a first contact) won: look again
    raise Conflict("concurrent deliveries of the call kept conflicting; deliver again")


async def call_ended(
    *,
    call_id: str,
    duration: int,
    outcome: str,
    recording_url: str = "",
    now: datetime | None = None,
) -> CtiResult:
    """CTI: the call ended. Completes the call call_started recorded; once ended, a repeat
    changes nothing."""
    if recording_url and not RECORDING_URL.match(recording_url):
        raise Invalid("recording_url must be an http(s) URL", field="recording_url")
    async with write_transaction():
        known = await _by_call_id(call_id)
        if known is None:
            raise Conflict(
                f"no call.started was received for call {call_id}: send it first", field="call_id"
            )
        result = CtiResult("duplicate", call_id, known["ticket"], known["interaction"])
        if known["ended_at"] is not None:
            return result
        values = {
            "ended_at": as_utc(known["started_at"]) + timedelta(seconds=duration),
            "duration_seconds": duration,
            "outcome": outcome,
            "recording_url": recording_url,
        }
        await writes.update(PhoneCall, known, values)
        return CtiResult("ended", call_id, known["ticket"], known["interaction"])


async def attach_calls(interactions: Sequence[Any]) -> None:
    """Sets `call` on the interactions of kind call (InteractionOut and its kin)."""
    ids = [i.id for i in interactions if i.kind == "call"]
    if not ids:
        return
    rows = await PhoneCall.select().where(PhoneCall.interaction.is_in(ids))
    calls = {int(row["interaction"]): CallOut.of(row) for row in rows}
    for interaction in interactions:
        if interaction.id in calls:
            interaction.call = calls[interaction.id]
