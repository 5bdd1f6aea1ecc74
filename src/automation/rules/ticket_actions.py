"""The rules' ticket actions: `set` (status, priority, assignee, team), `assign` (round
robin or least loaded within a team), `add_tags` / `remove_tags`, `note` (internal) and
`open_ticket` (a linked ticket), all through the ticket service as the rule's Actor."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from servicedesk.errors import Invalid
from servicedesk.tickets import service as tickets
from servicedesk.tickets.service import PRIORITIES, STATUSES

from . import queries
from .actions import (
    ActionFailed,
    ActionType,
    Params,
    Run,
    _agent_id,
    _check_templates,
    _team_id,
    register,
)


class SetParams(Params):
    type: Literal["set"]
    field: Literal["status", "priority", "assignee", "team"]
    value: str | None


@register
class SetAction(ActionType):
    type, label, model = "set", "Set a field", SetParams

    def check(self, action: SetParams, path: str) -> None:
        choices = {"status": STATUSES, "priority": PRIORITIES}.get(action.field)
        if choices is not None and action.value not in choices:
            raise Invalid(f"{action.field} is one of {', '.join(choices)}", field=f"{path}.value")

    async def check_live(self, action: SetParams, path: str) -> None:
        if action.field == "assignee":
            await _agent_id(action.value, f"{path}.value")
        elif action.field == "team":
            await _team_id(action.value, f"{path}.value")

    async def apply(self, action: SetParams, run: Run, index: int) -> None:
        changes: dict[str, Any]
        if action.field == "assignee":
            changes = {"assignee_id": await _agent_id(action.value, "value")}
        elif action.field == "team":
            changes = {"team_id": await _team_id(action.value, "value")}
        else:
            changes = {action.field: action.value}
        await tickets.update_ticket(
            ticket_id=run.need_ticket(), changes=changes, actor=run.actor, now=run.now
        )

    def describe(self, action: SetParams) -> str:
        return f"set {action.field} {action.value if action.value is not None else '(none)'}"

    def effects(self, action: SetParams) -> dict[str, tuple[str, Any]]:
        found: dict[str, tuple[str, Any]] = {f"ticket.{action.field}": ("set", action.value)}
        if action.field == "status":
            found["ticket.hours_in_status"] = ("set", 0)
            found["ticket.business_hours_in_status"] = ("set", 0)
            if action.value == "solved":
                found["ticket.hours_since_solved"] = ("set", 0)
        return {**found, **_TOUCH}


# Any change of the ticket makes it "updated" now.
_TOUCH = {
    "ticket.hours_since_updated": ("set", 0),
    "ticket.business_hours_since_updated": ("set", 0),
}


class AssignParams(Params):
    type: Literal["assign"]
    method: Literal["round_robin", "least_loaded"]
    team: str | None = None  # the ticket's team when not given


@register
class AssignAction(ActionType):
    type, label, model = "assign", "Assign within a team", AssignParams

    async def check_live(self, action: AssignParams, path: str) -> None:
        await _team_id(action.team, f"{path}.team")

    async def apply(self, action: AssignParams, run: Run, index: int) -> None:
        ticket_id = run.need_ticket()
        team_id = await _team_id(action.team, "team")
        ticket = run.context.get("ticket") or {}
        team_id = team_id if team_id is not None else ticket.get("team_id")
        if team_id is None:
            raise ActionFailed("the ticket has no team to assign within")
        agents = [a["id"] for a in await queries.team_agents(team_id)]
        if not agents:
            raise ActionFailed("the team has no active agents")
        if action.method == "least_loaded":
            load = await queries.open_load(agents)
            chosen = min(agents, key=lambda a: (load[a], a))
        else:  # the agent whose last assignment is the oldest (never assigned first)
            last = await queries.last_assigned(agents)
            chosen = min(agents, key=lambda a: (last.get(a, 0), a))
        changes: dict[str, Any] = {"assignee_id": chosen}
        if ticket.get("team_id") != team_id:
            changes["team_id"] = team_id
        await tickets.update_ticket(
            ticket_id=ticket_id, changes=changes, actor=run.actor, now=run.now
        )

    def describe(self, action: AssignParams) -> str:
        where = f"team {action.team}" if action.team else "the ticket's team"
        return f"assign {action.method.replace('_', ' ')} within {where}"

    def effects(self, action: AssignParams) -> dict[str, tuple[str, Any]]:
        return {"ticket.assignee": ("set", "*"), **_TOUCH}


class TagsParams(Params):
    type: Literal["add_tags", "remove_tags"]
    value: list[str] = Field(min_length=1)


class _TagsAction(ActionType):
    model = TagsParams
    change: ClassVar[str]

    def check(self, action: TagsParams, path: str) -> None:
        for i, tag in enumerate(action.value):
            if not tag.strip() or len(tag.strip()) > 100:
                raise Invalid("tags are 1 to 100 characters", field=f"{path}.value[{i}]")

    async def apply(self, action: TagsParams, run: Run, index: int) -> None:
        await tickets.update_ticket(
            ticket_id=run.need_ticket(),
            changes={self.type: action.value},
            actor=run.actor,
            now=run.now,
        )

    def describe(self, action: TagsParams) -> str:
        return f"{self.change} tags {', '.join(action.value)}"

    def effects(self, action: TagsParams) -> dict[str, tuple[str, Any]]:
        tags = [t.strip().lower() for t in action.value]
        return {"ticket.tags": (self.change, tags), **_TOUCH}


@register
class AddTagsAction(_TagsAction):
    type, label, change = "add_tags", "Add tags", "add"


@register
class RemoveTagsAction(_TagsAction):
    type, label, change = "remove_tags", "Remove tags", "remove"


class NoteParams(Params):
    type: Literal["note"]
    body: str = Field(min_length=1)


@register
class NoteAction(ActionType):
    type, label, model = "note", "Internal note", NoteParams

    def check(self, action: NoteParams, path: str) -> None:
        _check_templates(action, path, "body")

    async def apply(self, action: NoteParams, run: Run, index: int) -> None:
        await tickets.add_agent_message(
            ticket_id=run.need_ticket(),
            actor=run.actor,
            body=run.render(action.body),
            public=False,
            now=run.now,
        )

    def describe(self, action: NoteParams) -> str:
        return "add an internal note"

    def effects(self, action: NoteParams) -> dict[str, tuple[str, Any]]:
        return dict(_TOUCH)


# ---------------------------------------------------------------- tickets


class OpenTicketParams(Params):
    type: Literal["open_ticket"]
    subject: str = Field(min_length=1)
    body: str = Field(min_length=1)  # the new ticket's first (internal) note
    assignee: str | None = "leads"  # "leads": the first lead of the ticket's team; or an email
    priority: Literal["low", "normal", "high", "urgent"] = "high"


@register
class OpenTicketAction(ActionType):
    """Extension of the spec: a new ticket about the same customer, linked to this one
    (follow_up_of), e.g. a service-recovery ticket for the team's lead after a bad CSAT."""

    type, label, model = "open_ticket", "Open a linked ticket", OpenTicketParams

    def check(self, action: OpenTicketParams, path: str) -> None:
        _check_templates(action, path, "subject", "body")

    async def check_live(self, action: OpenTicketParams, path: str) -> None:
        if action.assignee not in (None, "leads"):
            await _agent_id(action.assignee, f"{path}.assignee")

    async def apply(self, action: OpenTicketParams, run: Run, index: int) -> None:
        ticket_id = run.need_ticket()
        ticket = run.context.get("ticket") or {}
        assignee: int | None = None
        if action.assignee == "leads":
            if ticket.get("team_id") is None:
                raise ActionFailed("the ticket has no team, so no lead to give it to")
            leads = await queries.team_agents(ticket["team_id"], role="lead")
            if not leads:
                raise ActionFailed("the ticket's team has no lead")
            assignee = leads[0]["id"]
        elif action.assignee:
            assignee = await _agent_id(action.assignee, "assignee")
        new = await tickets.open_ticket(
            customer_id=ticket["customer_id"],
            channel="api",
            subject=" ".join(run.render(action.subject).split()),
            now=run.now,
            actor=run.actor,
            priority=action.priority,
            follow_up_of=ticket_id,
        )
        await tickets.add_agent_message(
            ticket_id=new["id"],
            actor=run.actor,
            body=run.render(action.body),
            public=False,
            now=run.now,
        )
        changes: dict[str, Any] = {"team_id": ticket.get("team_id")}
        if assignee is not None:
            changes["assignee_id"] = assignee
        await tickets.update_ticket(
            ticket_id=new["id"], changes=changes, actor=run.actor, now=run.now
        )

    def describe(self, action: OpenTicketParams) -> str:
        who = "the team lead" if action.assignee == "leads" else action.assignee or "nobody"
        return f"open a linked ticket for {who}: {action.subject}"
