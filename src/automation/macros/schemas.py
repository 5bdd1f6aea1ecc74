"""Macro requests and responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from servicedesk.schemas import Id, Request

MAX_ACTIONS = 20


class MacroIn(Request):
    name: str = Field(min_length=1, max_length=100)
    # The same action JSON as rules' (see docs/automation.md), checked by their registry.
    actions: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_ACTIONS)
    # A Jinja2 template of a public reply over ticket, customer and agent (who applies it).
    reply: str | None = Field(default=None, max_length=20_000)
    # Shared with every agent (admins only); otherwise personal to its maker.
    shared: bool = False


class MacroPatch(Request):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    actions: list[dict[str, Any]] | None = Field(default=None, max_length=MAX_ACTIONS)
    reply: str | None = Field(default=None, max_length=20_000)  # null or "" removes it

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class MacroOut(BaseModel):
    id: int
    name: str
    actions: list[dict[str, Any]]
    reply: str | None
    shared: bool
    owner_id: int | None
    created_at: datetime
    updated_at: datetime


class MacroTarget(Request):
    ticket_id: Id


class MacroPreview(BaseModel):
    actions: list[str]  # what each action would do, in order
    reply: str | None  # the reply as it would be posted
