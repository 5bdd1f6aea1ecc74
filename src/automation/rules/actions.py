"""The action types of a rule: each one's shape (a Pydantic model), its checks at save
time, how it applies (through the servicedesk services, as the rule's Actor), a pure
one-line description (for the run log and the dry-run), and which ticket fields it sets
(for loop safety).

Registry: ACTIONS[type] -> ActionType; the ticket, messaging, sales and marketing actions
live in ticket_actions.py, messaging_actions.py, lead_actions.py and marketing_actions.py.
`parse(data, path)` checks one action's shape, `describe(action)` says what it does. The
webhook action's delivery belongs to automation.webhooks."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, ValidationError

from automation.webhooks import service as webhooks
from servicedesk.actors import Actor
from servicedesk.customers import journey
from servicedesk.errors import Invalid
from servicedesk.outbox import service as outbox
from servicedesk.settings import get_settings
from servicedesk.tickets.changes import log_change

from . import queries
from .context import template_variables
from .templates import check_template, render


class ActionFailed(Exception):
    """An action could not apply (no address to write to, a team without agents): the
    rule's changes roll back and the reason goes to its run log."""


@dataclass
class Run:
    """One firing of a rule on a ticket: what its actions apply with."""

    rule_id: int
    rule_name: str
    key: str  # unique per firing: builds the Message-IDs of its emails
    now: datetime
    context: dict[str, Any]
    ticket_id: int | None

    @property
    def actor(self) -> Actor:
        return Actor("rule", label=f"rule: {self.rule_name}")

    def need_ticket(self) -> int:
        if self.ticket_id is None:
            raise ActionFailed("this event has no ticket")
        return self.ticket_id

    def render(self, source: str) -> str:
        return render(source, template_variables(self.context))

    def message_id(self, index: int) -> str:
        host = urlparse(get_settings().base_url).hostname or "servicedesk.local"
        return f"<rule-{self.key.replace(':', '-')}-{index}@{host}>"

    async def email(
        self, to: str, subject: str, body: str, index: int, topic: str, delay_hours: float = 0
    ) -> None:
        await outbox.queue_emails(
            [
                outbox.Email(
                    to=to,
                    subject=" ".join(self.render(subject).split()),
                    body=self.render(body),
                    ticket_id=self.ticket_id,
                    message_id=self.message_id(index),
                    topic=topic,
                    not_before=self.now + timedelta(hours=delay_hours) if delay_hours else None,
                )
            ],
            now=self.now,
        )


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ActionType:
    type: ClassVar[str]
    label: ClassVar[str]
    model: ClassVar[builtins.type[BaseModel]]

    def check(self, action: Any, path: str) -> None:
        """Checks that need no database (templates)."""

    async def check_live(self, action: Any, path: str) -> None:
        """Checks against live data (agents, teams, webhooks exist)."""

    async def apply(self, action: Any, run: Run, index: int) -> None:
        raise NotImplementedError

    def describe(self, action: Any) -> str:
        raise NotImplementedError

    def effects(self, action: Any) -> dict[str, tuple[str, Any]]:
        """The ticket fields it changes: {"ticket.status": ("set", "solved"),
        "ticket.tags": ("add", [...])}; loop safety reasons over these."""
        return {}


ACTIONS: dict[str, ActionType] = {}


def register(cls: type[ActionType]) -> type[ActionType]:
    ACTIONS[cls.type] = cls()
    return cls


def _check_templates(action: Any, path: str, *names: str) -> None:
    for name in names:
        check_template(getattr(action, name), f"{path}.{name}")


async def _agent_id(email: str | None, field: str) -> int | None:
    if email is None:
        return None
    agent = await queries.agent_by_email(email)
    if agent is None or not agent["active"]:
        raise Invalid(f"no active agent has the email {email!r}", field=field)
    return int(agent["id"])


async def _team_id(name: str | None, field: str) -> int | None:
    if name is None:
        return None
    team = await queries.team_by_name(name)
    if team is None:
        raise Invalid(f"no team is named {name!r}", field=field)
    return int(team["id"])


# The ticket actions (set, assign, add_tags, remove_tags, note, open_ticket) register
# themselves from ticket_actions.py, here to keep the catalog's order.
from . import ticket_actions  # noqa: E402, F401

# ---------------------------------------------------------------- customer journey


class JourneyStageParams(Params):
    type: Literal["set_journey_stage"]
    value: str | None  # one of settings.journey_stages; null clears the stage


@register
class SetJourneyStageAction(ActionType):
    """Moves the event's customer to a journey stage, through customers.journey (its
    history names the rule)."""

    type, label, model = "set_journey_stage", "Set the customer's journey stage", JourneyStageParams

    def check(self, action: JourneyStageParams, path: str) -> None:
        journey.check_stage(action.value, f"{path}.value")

    async def apply(self, action: JourneyStageParams, run: Run, index: int) -> None:
        customer = run.context.get("customer")
        if not customer:
            raise ActionFailed("this event has no customer")
        changed = await journey.set_stage(
            customer_id=int(customer["id"]), stage=action.value, actor=run.actor, now=run.now
        )
        if changed and run.ticket_id is not None:  # and in the ticket's audit trail
            await log_change(
                run.ticket_id,
                run.actor,
                "journey_stage",
                customer.get("journey_stage"),
                action.value,
                run.now,
            )
        customer["journey_stage"] = action.value  # later rules of the pass see it

    def describe(self, action: JourneyStageParams) -> str:
        return f"set journey stage {action.value or '(none)'}"


# ---------------------------------------------------------------- webhooks and not yet


class WebhookParams(Params):
    type: Literal["webhook"]
    webhook_id: int


@register
class WebhookAction(ActionType):
    type, label, model = "webhook", "Call a webhook", WebhookParams

    async def check_live(self, action: WebhookParams, path: str) -> None:
        if not await webhooks.webhook_exists(action.webhook_id):
            raise Invalid(f"webhook {action.webhook_id} does not exist", field=f"{path}.webhook_id")

    async def apply(self, action: WebhookParams, run: Run, index: int) -> None:
        event = run.context.get("event") or {}
        # Queued in the run's transaction: the (rule, event) key makes it once.
        await webhooks.queue_delivery(
            webhook_id=action.webhook_id,
            event=event.get("topic", "time"),
            data={"ticket": template_variables(run.context)["ticket"], "rule": run.rule_name},
            now=run.now,
        )

    def describe(self, action: WebhookParams) -> str:
        return f"call webhook {action.webhook_id}"


# The messaging actions (email_customer, notify, send_survey, follow_up) and the sales
# actions (create_lead, set_lead_stage) register themselves from their modules.
from . import lead_actions, messaging_actions  # noqa: E402, F401

# ---------------------------------------------------------------- the registry's surface


def _loc(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def parse(data: dict[str, Any], path: str) -> Params | BaseModel:
    """One action's shape, checked: a 422 names the dotted path of what is wrong."""
    kind = data.get("type")
    action_type = ACTIONS.get(kind) if isinstance(kind, str) else None
    if action_type is None:
        raise Invalid(f"unknown action type {kind!r}", field=f"{path}.type")
    try:
        action = action_type.model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise Invalid(error["msg"], field=f"{path}{_loc(tuple(error['loc']))}") from exc
    action_type.check(action, path)
    return action


def type_of(action: BaseModel) -> ActionType:
    return ACTIONS[action.type]  # type: ignore[attr-defined]


def describe(action: BaseModel | dict[str, Any]) -> str:
    """What an action does, in a few words (pure: for the run log and the dry-run)."""
    if isinstance(action, dict):
        action = parse(action, "action")
    return type_of(action).describe(action)


def effects(action: BaseModel) -> dict[str, tuple[str, Any]]:
    return type_of(action).effects(action)


# Actions of other modules register themselves on import (they build on the names above).
from . import marketing_actions  # noqa: E402, F401
