"""SLA policies (admins manage them) and the breach check that raises `sla.breached`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from servicedesk.accounts.tables import Team
from servicedesk.actors import Actor
from servicedesk.cache import changed
from servicedesk.clock import as_utc, iso, utcnow
from servicedesk.cx.tables import TicketMetrics
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, Forbidden, Invalid, NotFound
from servicedesk.outbox import service as outbox
from servicedesk.tickets.service import CHANNELS, PRIORITIES

from . import clock as rules
from .clock import Clock
from .tables import SlaPolicy

M = TicketMetrics
FIELDS = ("name", "channel", "team_id", "business_hours", "active", "targets")


def _check_admin(actor: Actor) -> None:
    if actor.kind == "agent" and actor.role != "admin":
        raise Forbidden("SLA policies are managed by admins")


async def list_policies() -> list[dict[str, Any]]:
    return list(await SlaPolicy.select().order_by(SlaPolicy.id).output(load_json=True))


async def get_policy(*, policy_id: int) -> dict[str, Any]:
    row = await SlaPolicy.select().where(SlaPolicy.id == policy_id).output(load_json=True).first()
    if not row:
        raise NotFound(f"SLA policy {policy_id} does not exist", field="id")
    return dict(row)


def _clean_targets(targets: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Targets per priority without the unset ones; at least one target in all."""
    cleaned: dict[str, dict[str, int]] = {}
    for priority, minutes in targets.items():
        if minutes is None:
            continue
        if priority not in PRIORITIES:
            raise Invalid(f"unknown priority {priority!r}", field=f"targets.{priority}")
        set_ = {name: int(m) for name, m in minutes.items() if m is not None}
        unknown = set(set_) - set(rules.TARGETS)
        if unknown:
            raise Invalid(f"unknown target {sorted(unknown)[0]!r}", field=f"targets.{priority}")
        if set_:
            cleaned[priority] = set_
    if not cleaned:
        raise Invalid("a policy sets at least one target for one priority", field="targets")
    return cleaned


async def _check(policy: dict[str, Any], policy_id: int | None) -> None:
    """Refuses a missing team, a taken name, and a second active policy of the same scope
    (which of the two would apply would then be arbitrary)."""
    if policy["channel"] is not None and policy["channel"] not in CHANNELS:
        raise Invalid(f"unknown channel {policy['channel']!r}", field="channel")
    team = policy["team"]
    if team is not None and not await Team.exists().where(Team.id == team):
        raise NotFound(f"team {team} does not exist", field="team_id")
    others = [p for p in await list_policies() if p["id"] != policy_id]
    if any(p["name"] == policy["name"] for p in others):
        raise Conflict(f"a policy is already named {policy['name']!r}", field="name")
    if policy["active"]:
        for other in others:
            if other["active"] and (other["channel"], other["team"]) == (policy["channel"], team):
                raise Conflict(
                    f"the active policy {other['name']!r} already covers this channel and team",
                    field="channel" if policy["channel"] else "team_id",
                )


def _row(values: dict[str, Any]) -> dict[str, Any]:
    """The table row of the API's values (team_id is the team column)."""
    for name in ("name", "business_hours", "active", "targets"):
        if name in values and values[name] is None:
            raise Invalid(f"{name} cannot be null", field=name)
    row = {k: v for k, v in values.items() if k != "team_id"}
    if "team_id" in values:
        row["team"] = values["team_id"]
    if "targets" in row:
        row["targets"] = _clean_targets(row["targets"])
    return row


async def create_policy(*, values: dict[str, Any], actor: Actor, now: datetime) -> int:
    """A new policy; it applies to tickets created (or re-prioritised) from now on."""
    _check_admin(actor)
    row: dict[str, Any] = {"channel": None, "team": None, "business_hours": False, "active": True}
    row |= _row(values)
    async with write_transaction():
        await _check(row, None)
        inserted = await SlaPolicy.insert(
            SlaPolicy(**row, created_at=now, updated_at=now)
        ).returning(SlaPolicy.id)
    changed(SlaPolicy)
    return int(inserted[0]["id"])


async def update_policy(
    *, policy_id: int, changes: dict[str, Any], actor: Actor, now: datetime
) -> None:
    """Changes a policy. Tickets keep the targets they were given until their priority or
    team changes (as Zendesk does, a policy edit is not applied to open tickets at once)."""
    _check_admin(actor)
    async with write_transaction():
        current = await get_policy(policy_id=policy_id)
        row = _row(changes)
        await _check({**current, **row}, policy_id)
        if row:
            values = {getattr(SlaPolicy, k): v for k, v in row.items()}
            values[SlaPolicy.updated_at] = now
            await SlaPolicy.update(values).where(SlaPolicy.id == policy_id)
    changed(SlaPolicy)


async def delete_policy(*, policy_id: int, actor: Actor) -> None:
    """Deletes a policy; tickets that had it keep their due times and outcomes."""
    _check_admin(actor)
    await get_policy(policy_id=policy_id)
    await SlaPolicy.delete().where(SlaPolicy.id == policy_id)
    changed(SlaPolicy)


# ---------------------------------------------------------------- the breach check


async def check_breaches(*, now: datetime | None = None, limit: int = 500) -> int:
    """Raises `sla.breached` {ticket_id, target, due_at, policy_id} for every target due
    by `now`, once per ticket and target (per reply cycle for next reply). Returns how
    many were raised. A ticket changed meanwhile is left to the next check."""
    now = now or utcnow()
    raised = 0
    while True:
        rows = (
            await M.select(M.ticket, M.status, M.sla_clock, M.sla_check_at)
            .where(M.sla_check_at <= now)
            .order_by(M.sla_check_at)
            .limit(limit)
        )
        changed = [await _raise_breaches(row, now) for row in rows]
        raised += sum(n for n in changed if n > 0)
        # A batch whose rows all changed under it is left to the next check (no spin).
        if len(rows) < limit or all(n < 0 for n in changed):
            return raised


async def _raise_breaches(row: dict[str, Any], now: datetime) -> int:
    """Raises the ticket's due breaches; returns how many, or -1 if its clock changed."""
    clock = Clock.from_json(row["sla_clock"])
    names = rules.due_breaches(clock, now)
    async with write_transaction():
        # Only if no one changed the clock since it was read: a reply that fulfilled the
        # target meanwhile wins, and two checks at once raise each breach once.
        updated = (
            await M.update(
                {M.sla_clock: clock.to_json(), M.sla_check_at: rules.check_at(clock, row["status"])}
            )
            .where(M.ticket == row["ticket"], M.sla_clock == row["sla_clock"])
            .returning(M.ticket)
        )
        if not updated:
            return -1
        for name in names:
            due = clock.targets[name].due
            assert due is not None
            await outbox.emit_event(
                topic="sla.breached",
                payload={
                    "ticket_id": row["ticket"],
                    "target": name,
                    "due_at": iso(as_utc(due)),
                    "policy_id": clock.policy,
                },
                ticket_id=row["ticket"],
                now=now,
            )
    return len(names)
