"""Webhook requests and responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from servicedesk.schemas import Request


class WebhookIn(Request):
    name: str = Field(min_length=1, max_length=100)
    url: str = Field(min_length=1, max_length=2000)
    events: list[str] = Field(min_length=1, max_length=50)
    # Generated (64 hex digits) when not given.
    secret: str | None = Field(default=None, min_length=16, max_length=200)
    active: bool = True


class WebhookPatch(Request):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    events: list[str] | None = Field(default=None, min_length=1, max_length=50)
    secret: str | None = Field(default=None, min_length=16, max_length=200)
    active: bool | None = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class WebhookOut(BaseModel):
    id: int
    name: str
    url: str
    events: list[str]
    # Shown to admins every time (only admins see webhooks), as Zendesk's "reveal secret".
    secret: str
    active: bool
    created_at: datetime
    updated_at: datetime
