"""Changing a ticket: its row read once per change, the audit trail, the status machine
applied (with the facts and events it brings), assignment, team, priority, subject, tags."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from servicedesk import writes
from servicedesk.accounts.tables import Agent, Team
from servicedesk.actors import Actor
from servicedesk.clock import utcnow
from servicedesk.cx import facts, surveys
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, Invalid, NotFound
from servicedesk.outbox import service as outbox

from .reads import load_ticket, tags_of
from .rules import PRIORITIES, check_choice, check_transition, clean_tags
from .tables import Ticket, TicketEvent, TicketTag


async def log_change(
    ticket_id: int, actor: Actor, field: str, old: Any, new: Any, now: datetime
) -> None:
    row = {
        "ticket": ticket_id,
        "actor_kind": actor.kind,
        "actor_agent": actor.agent_id,
        "actor_label": actor.label,
        "field": field,
        "old_value": None if old is None else str(old),
        "new_value": None if new is None else str(new),
        "created_at": now,
    }
    await writes.insert_later(TicketEvent, [row])  # nothing reads it within the change


async def emit(topic: str, ticket_id: int, now: datetime, quiet: bool, **payload: Any) -> None:
    if not quiet:
        await writes.flush()  # the event names rows that a unit of work may still hold
        await outbox.emit_event(
            topic=topic, payload={"ticket_id": ticket_id, **payload}, ticket_id=ticket_id, now=now
        )


async def change_status(
    ticket: dict[str, Any], new: str, actor: Actor, now: datetime, quiet: bool
) -> None:
    old = ticket["status"]
    check_transition(old, new)
    changes: dict[str, Any] = {"status": new, "updated_at": now}
    if new == "solved":
        assignee = ticket["assignee"]
        if assignee is None:
            if actor.agent_id is None:
                raise Conflict(
                    "an unassigned ticket can only be solved by an agent", field="status"
                )
            assignee = actor.agent_id
            changes["assignee"] = assignee
            await log_change(ticket["id"], actor, "assignee", None, assignee, now)
        changes["solved_at"] = now
        await facts.solved(
            ticket_id=ticket["id"], agent_id=assignee, team_id=ticket["team"], at=now
        )
    else:
        await facts.status_changed(ticket_id=ticket["id"], old=old, new=new, at=now)
    await writes.update(Ticket, ticket, changes)
    await log_change(ticket["id"], actor, "status", old, new, now)
    topic = {"solved": "ticket.solved", "closed": "ticket.closed"}.get(new)
    if old == "solved" and new != "closed":
        topic = "ticket.reopened"
    await emit(topic or "ticket.status_changed", ticket["id"], now, quiet, old=old, new=new)
    if new == "solved" and not quiet:
        await surveys.schedule_csat(ticket_id=ticket["id"], now=now)


# The fields a `ticket.updated` event reports the changes of.
UPDATED_FIELDS = ("status", "priority", "assignee", "team", "subject")


async def _emit_updated(
    ticket: dict[str, Any],
    before: dict[str, Any],
    tags_before: list[str] | None,
    tags_after: list[str] | None,
    now: datetime,
    quiet: bool,
) -> None:
    """One `ticket.updated` event for a change by an agent, a rule or the system, with
    each changed field's [old, new] (tags as lists, when the change was about them: both
    given), for rules on `event.changes`."""
    if quiet:
        return
    changes: dict[str, Any] = {
        name: [before[name], ticket[name]]
        for name in UPDATED_FIELDS
        if ticket[name] != before[name]
    }
    if tags_before is not None and tags_after != tags_before:
        changes["tags"] = [tags_before, tags_after]
    if changes:
        await emit("ticket.updated", ticket["id"], now, quiet, changes=changes)


async def set_status(
    *, ticket_id: int, status: str, actor: Actor, now: datetime | None = None, quiet: bool = False
) -> None:
    now = now or utcnow()
    async with write_transaction():
        ticket = await load_ticket(ticket_id)
        if ticket["status"] != status:
            before = {name: ticket[name] for name in UPDATED_FIELDS}
            await change_status(ticket, status, actor, now, quiet)
            await _emit_updated(ticket, before, None, None, now, quiet)


async def close_solved_tickets(*, now: datetime | None = None, older_than_days: int) -> int:
    """Closes tickets solved more than N days ago (the periodic auto-close)."""
    now = now or utcnow()
    rows = await Ticket.select(Ticket.id).where(
        Ticket.status == "solved", Ticket.solved_at < now - timedelta(days=older_than_days)
    )
    for row in rows:
        await set_status(
            ticket_id=row["id"], status="closed", actor=Actor("system", label="auto-close"), now=now
        )
    return len(rows)


# ---------------------------------------------------------------- other fields


async def update_ticket(
    *,
    ticket_id: int,
    changes: dict[str, Any],
    actor: Actor,
    now: datetime | None = None,
    quiet: bool = False,
) -> None:
    """Applies several field changes as one change: assignee and team first, so that a
    ticket assigned and solved in one request is solved by its new assignee."""
    now = now or utcnow()
    async with write_transaction():
        ticket = await load_ticket(ticket_id)
        if ticket["status"] == "closed" and changes:
            raise Conflict("the ticket is closed; closed tickets cannot change")
        before = {name: ticket[name] for name in UPDATED_FIELDS}
        # The tags are read once and followed through the change (not read again by each
        # step): a rule's add_tags costs one read of them, not four.
        tags = (
            list(await current_tags(ticket_id))
            if {"tags", "add_tags", "remove_tags"} & set(changes)
            else None
        )
        tags_before = tags  # each step below gives the tags anew, never changes this list
        if "assignee_id" in changes:
            await _assign(ticket, changes["assignee_id"], actor, now, quiet)
        if "team_id" in changes:
            await _check_team(changes["team_id"])
            await _set_field(ticket, "team", changes["team_id"], actor, now)
        if "priority" in changes:
            check_choice(changes["priority"], PRIORITIES, "priority")
            await _set_field(ticket, "priority", changes["priority"], actor, now)
        if "subject" in changes:
            await _set_field(ticket, "subject", changes["subject"], actor, now)
        if "tags" in changes:
            tags = await _set_tags(ticket, changes["tags"], actor, now, current=tags or [])
        if "add_tags" in changes or "remove_tags" in changes:
            wanted = [t for t in tags or [] if t not in changes.get("remove_tags", [])]
            wanted += [t for t in changes.get("add_tags", []) if t not in wanted]
            tags = await _set_tags(ticket, wanted, actor, now, current=tags or [])
        if (ticket["priority"], ticket["team"]) != (before["priority"], before["team"]):
            await facts.ticket_routed(
                ticket_id=ticket_id,
                channel=ticket["channel"],
                priority=ticket["priority"],
                team_id=ticket["team"],
                at=now,
            )
        if "status" in changes and changes["status"] != ticket["status"]:
            await change_status(ticket, changes["status"], actor, now, quiet)
        await _emit_updated(ticket, before, tags_before, tags, now, quiet)


async def _check_team(team_id: int | None) -> None:
    if team_id is not None and not await Team.exists().where(Team.id == team_id):
        raise NotFound(f"team {team_id} does not exist", field="team_id")


async def _set_field(
    ticket: dict[str, Any], field: str, value: Any, actor: Actor, now: datetime
) -> None:
    old = ticket[field]
    if old == value:
        return
    await writes.update(Ticket, ticket, {field: value, "updated_at": now})
    await log_change(ticket["id"], actor, field, old, value, now)


async def _assign(
    ticket: dict[str, Any], agent_id: int | None, actor: Actor, now: datetime, quiet: bool
) -> None:
    if agent_id is not None:
        agent = await writes.get(
            Agent, agent_id, Agent.select(Agent.active).where(Agent.id == agent_id).first
        )
        if not agent:
            raise NotFound(f"agent {agent_id} does not exist", field="assignee_id")
        if not agent["active"]:
            raise Invalid(f"agent {agent_id} is deactivated", field="assignee_id")
    if ticket["assignee"] != agent_id:
        await _set_field(ticket, "assignee", agent_id, actor, now)
        await emit("ticket.assigned", ticket["id"], now, quiet, assignee_id=agent_id)


async def assign(
    *,
    ticket_id: int,
    agent_id: int | None,
    actor: Actor,
    now: datetime | None = None,
    quiet: bool = False,
) -> None:
    await update_ticket(
        ticket_id=ticket_id, changes={"assignee_id": agent_id}, actor=actor, now=now, quiet=quiet
    )


async def current_tags(ticket_id: int) -> list[str]:
    """tags_of, read once per unit of work."""
    tags: list[str] = await writes.get(TicketTag, ticket_id, lambda: tags_of(ticket_id))
    return tags


async def _set_tags(
    ticket: dict[str, Any],
    tags: list[str],
    actor: Actor,
    now: datetime,
    *,
    current: list[str],
) -> list[str]:
    """Sets the ticket's tags, given its current ones; returns them as they are now."""
    wanted = clean_tags(tags)
    if wanted == current:
        return current
    added = [tag for tag in wanted if tag not in current]
    if wanted == current + added and writes.current() is None:
        # Only added (a rule's add_tags, most edits): the new rows go after the others.
        await writes.insert_many(TicketTag, [{"ticket": ticket["id"], "tag": t} for t in added])
    else:
        rows = [{"ticket": ticket["id"], "tag": tag} for tag in wanted]
        await writes.replace(TicketTag, "ticket", ticket["id"], rows)
    writes.remember(TicketTag, ticket["id"], wanted)
    await writes.update(Ticket, ticket, {"updated_at": now})
    await log_change(ticket["id"], actor, "tags", ",".join(current), ",".join(wanted), now)
    return wanted
