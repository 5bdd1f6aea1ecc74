"""What the rule editor offers: events, fields (with live choices), operators, actions."""

from __future__ import annotations

import typing
from typing import Any, Literal, get_args, get_origin

from automation.webhooks import service as webhooks
from servicedesk.accounts.tables import Agent, Team
from servicedesk.marketing import campaigns

from . import actions as action_types
from .fields import FIELDS, OPERATORS
from .schemas import (
    EVENTS,
    Catalog,
    CatalogAction,
    CatalogField,
    CatalogParam,
)


def _param(name: str, annotation: Any, live: dict[str, list[str]]) -> CatalogParam:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is Literal:
        return CatalogParam(name=name, type="choice", choices=[str(a) for a in args])
    if name in live:
        return CatalogParam(name=name, type="choice", choices=live[name])
    text = str(annotation)
    kind = "list" if "list" in text else "number" if ("float" in text or "int" in text) else "text"
    return CatalogParam(name=name, type=kind)


async def catalog() -> Catalog:
    agents = [
        r["email"]
        for r in await Agent.select(Agent.email).where(Agent.active.eq(True)).order_by(Agent.email)
    ]
    teams = [r["name"] for r in await Team.select(Team.name).order_by(Team.name)]
    live = {
        "agent": agents,
        "team": teams,
        "assignee": agents,
        "webhook_id": await webhooks.webhook_choices(),
        "campaign_id": await campaigns.triggered_ids(),
    }
    fields = []
    for field in FIELDS.values():
        configured = field.choice_list()
        choices = list(configured) if configured else None
        if field.name == "ticket.assignee":
            choices = agents
        elif field.name == "ticket.team":
            choices = teams
        fields.append(CatalogField(name=field.name, type=field.type, choices=choices))  # type: ignore[arg-type]
    actions = []
    for action_type in action_types.ACTIONS.values():
        hints = typing.get_type_hints(action_type.model)
        params = [
            _param(name, hints[name], live)
            for name in action_type.model.model_fields
            if name != "type"
        ]
        actions.append(CatalogAction(type=action_type.type, label=action_type.label, params=params))
    return Catalog(
        events=list(EVENTS),
        fields=fields,
        operators={kind: list(ops) for kind, ops in OPERATORS.items()},
        actions=actions,
    )
