"""Macros: a named list of rule actions plus an optional reply template that an agent
applies to a ticket in one click. Shared macros (made by admins) are visible to every
agent; personal ones only to the agent who made them. Applying goes through the same
action registry and servicedesk services as rules, with the agent as the actor."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from automation.rules import actions as action_types
from automation.rules.context import build_context, template_variables
from automation.rules.templates import check_template, render
from servicedesk.accounts.tables import Agent
from servicedesk.actors import Actor
from servicedesk.clock import utcnow
from servicedesk.db import write_transaction
from servicedesk.errors import Conflict, Forbidden, Invalid, NotFound
from servicedesk.tickets import service as tickets

from .tables import Macro

TOPIC = "macro"  # the event a macro's actions see (e.g. the topic a webhook action posts)


def _out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "actions": list(row["actions"] or []),
        "reply": row["reply"] or None,
        "shared": row["owner"] is None,
        "owner_id": row["owner"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _visible_to(actor: Actor) -> Any:
    return Macro.owner.is_null() | (Macro.owner == actor.agent_id)


async def list_macros(*, actor: Actor) -> list[dict[str, Any]]:
    """The shared macros and the actor's own, shared first, then by name."""
    rows = (
        await Macro.select()
        .where(_visible_to(actor))
        .order_by(Macro.owner, Macro.name, Macro.id)
        .output(load_json=True)
    )
    rows.sort(key=lambda row: (row["owner"] is not None, row["name"].lower(), row["id"]))
    return [_out(row) for row in rows]


async def get_macro(*, macro_id: int, actor: Actor) -> dict[str, Any]:
    """A macro the actor may see; another agent's personal macro is a 404 like a missing
    one, so ids do not tell what others keep."""
    row = (
        await Macro.select()
        .where(Macro.id == macro_id, _visible_to(actor))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound(f"macro {macro_id} does not exist", field="id")
    return _out(row)


def _check_may_change(macro: dict[str, Any], actor: Actor) -> None:
    if macro["shared"] and actor.role != "admin":
        raise Forbidden("only admins change shared macros", field="shared")


async def _check_actions(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each action checked by the rules' registry (shape, templates, live references)."""
    for index, data in enumerate(actions):
        path = f"actions[{index}]"
        if not isinstance(data, dict):
            raise Invalid("an action is an object with a type", field=path)
        parsed = action_types.parse(data, path)
        await action_types.type_of(parsed).check_live(parsed, path)
    return actions


def _check_reply(reply: str | None) -> str:
    if reply is None or not reply.strip():
        return ""
    check_template(reply, "reply")
    return reply


async def create_macro(
    *,
    name: str,
    actions: list[dict[str, Any]],
    reply: str | None,
    shared: bool,
    actor: Actor,
    now: datetime | None = None,
) -> dict[str, Any]:
    now = now or utcnow()
    if shared and actor.role != "admin":
        raise Forbidden("only admins make shared macros", field="shared")
    reply = _check_reply(reply)
    if not actions and not reply:
        raise Invalid("a macro has actions, a reply or both", field="actions")
    row = Macro(
        name=name.strip(),
        owner=None if shared else actor.agent_id,
        actions=json.dumps(await _check_actions(actions)),
        reply=reply,
        created_at=now,
        updated_at=now,
    )
    await row.save()
    return await get_macro(macro_id=row.id, actor=actor)


async def update_macro(
    *, macro_id: int, changes: dict[str, Any], actor: Actor, now: datetime | None = None
) -> dict[str, Any]:
    now = now or utcnow()
    macro = await get_macro(macro_id=macro_id, actor=actor)
    _check_may_change(macro, actor)
    values: dict[Any, Any] = {Macro.updated_at: now}
    if changes.get("name") is not None:
        values[Macro.name] = changes["name"].strip()
    if changes.get("actions") is not None:
        values[Macro.actions] = json.dumps(await _check_actions(changes["actions"]))
    if "reply" in changes:
        values[Macro.reply] = _check_reply(changes["reply"])
    actions = changes["actions"] if changes.get("actions") is not None else macro["actions"]
    reply = values.get(Macro.reply, macro["reply"])
    if not actions and not reply:
        raise Invalid("a macro has actions, a reply or both", field="actions")
    await Macro.update(values).where(Macro.id == macro_id)
    return await get_macro(macro_id=macro_id, actor=actor)


async def delete_macro(*, macro_id: int, actor: Actor) -> None:
    macro = await get_macro(macro_id=macro_id, actor=actor)
    _check_may_change(macro, actor)
    await Macro.delete().where(Macro.id == macro_id)


# ---------------------------------------------------------------- preview and apply


@dataclass
class MacroRun(action_types.Run):
    """A rule action's run, as the agent applying a macro: changes are theirs in the audit
    trail, and templates see them as `agent`."""

    agent_actor: Actor = Actor("system")
    variables: dict[str, Any] | None = None

    @property  # type: ignore[override]
    def actor(self) -> Actor:
        return self.agent_actor

    def render(self, source: str) -> str:
        return render(source, self.variables or {})


async def _prepare(
    macro_id: int, ticket_id: int, actor: Actor, now: datetime
) -> tuple[dict[str, Any], list[BaseModel], MacroRun]:
    macro = await get_macro(macro_id=macro_id, actor=actor)
    await tickets.ticket_summary_row(ticket_id)  # the 404 of a missing ticket
    parsed = [action_types.parse(data, f"actions[{i}]") for i, data in enumerate(macro["actions"])]
    context = await build_context(topic=TOPIC, payload={}, ticket_id=ticket_id, now=now)
    agent = (
        await Agent.select(Agent.id, Agent.name, Agent.email)
        .where(Agent.id == actor.agent_id)
        .first()
    )
    variables = {**template_variables(context), "agent": agent}
    run = MacroRun(
        rule_id=0,
        rule_name=macro["name"],
        key=f"macro:{macro_id}:{ticket_id}:{secrets.token_hex(4)}",
        now=now,
        context=context,
        ticket_id=ticket_id,
        agent_actor=actor,
        variables=variables,
    )
    return macro, parsed, run


def _reply(macro: dict[str, Any], run: MacroRun) -> str | None:
    if not macro["reply"]:
        return None
    try:
        return run.render(macro["reply"])
    except Exception as exc:  # noqa: BLE001 - a template failing on this ticket is the macro's
        raise Invalid(f"the reply does not render for this ticket: {exc}", field="reply") from exc


async def preview(
    *, macro_id: int, ticket_id: int, actor: Actor, now: datetime | None = None
) -> dict[str, Any]:
    """What applying the macro would do to the ticket, changing nothing."""
    macro, parsed, run = await _prepare(macro_id, ticket_id, actor, now or utcnow())
    return {
        "actions": [action_types.describe(action) for action in parsed],
        "reply": _reply(macro, run),
    }


async def apply(
    *, macro_id: int, ticket_id: int, actor: Actor, now: datetime | None = None
) -> None:
    """Posts the macro's reply (if any), then applies its actions, all in one transaction
    with the agent as the actor: the reply goes out before a "solve" closes the work."""
    now = now or utcnow()
    async with write_transaction():
        macro, parsed, run = await _prepare(macro_id, ticket_id, actor, now)
        reply = _reply(macro, run)
        if reply and reply.strip():
            await tickets.add_agent_message(
                ticket_id=ticket_id, actor=actor, body=reply, public=True, now=now
            )
        for index, action in enumerate(parsed):
            try:
                await action_types.type_of(action).apply(action, run, index)
            except action_types.ActionFailed as exc:
                raise Conflict(
                    f"{action_types.describe(action)}: {exc}", field=f"actions[{index}]"
                ) from exc
