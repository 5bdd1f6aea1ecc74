"""Webhook endpoints (admins only): thin; parse, guard, call one service function."""

from __future__ import annotations

from typing import Any

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody

from servicedesk.accounts.guards import requires_admin
from servicedesk.schemas import IdPath

from . import service
from .schemas import WebhookIn, WebhookOut, WebhookPatch


def _out(row: dict[str, Any]) -> WebhookOut:
    return WebhookOut(**row)


class WebhookController(Controller):
    path = "/api/automation/webhooks"
    tags = ["automation"]
    guards = [requires_admin]

    @get("/", summary="Webhooks")
    async def list_webhooks(self) -> list[WebhookOut]:
        return [_out(row) for row in await service.list_webhooks()]

    @post("/", status_code=201, summary="Create a webhook")
    async def create_webhook(self, data: JSONBody[WebhookIn]) -> WebhookOut:
        return _out(
            await service.create_webhook(
                name=data.name,
                url=data.url,
                events=data.events,
                secret=data.secret,
                active=data.active,
            )
        )

    @get("/{webhook_id:int}", summary="A webhook")
    async def get_webhook(self, webhook_id: IdPath) -> WebhookOut:
        return _out(await service.get_webhook(webhook_id=webhook_id))

    @patch("/{webhook_id:int}", summary="Change a webhook")
    async def update_webhook(self, webhook_id: IdPath, data: JSONBody[WebhookPatch]) -> WebhookOut:
        return _out(await service.update_webhook(webhook_id=webhook_id, changes=data.changes()))

    @delete("/{webhook_id:int}", summary="Delete a webhook")
    async def delete_webhook(self, webhook_id: IdPath) -> None:
        await service.delete_webhook(webhook_id=webhook_id)
