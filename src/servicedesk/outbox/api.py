"""Outbox view for admins: sent and failed emails, webhook deliveries and chat/social
replies, and re-send."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import QueryParameter
from pydantic import BaseModel

from servicedesk.accounts.guards import requires_admin
from servicedesk.schemas import IdPath

from . import service


class OutboxItem(BaseModel):
    id: int
    kind: str
    topic: str
    to: str
    subject: str
    status: str
    attempts: int
    last_error: str
    ticket_id: int | None
    created_at: datetime
    sent_at: datetime | None


class OutboxPage(BaseModel):
    items: list[OutboxItem]


class OutboxController(Controller):
    path = "/api/outbox"
    tags = ["outbox"]
    guards = [requires_admin]

    @get(
        "/",
        summary="Outgoing emails, webhook deliveries and chat/social replies by kind and status",
    )
    async def list_outbox(
        self,
        status: Annotated[
            str | None,
            QueryParameter(pattern="^(pending|sending|sent|failed|bounced|cancelled|unknown)$"),
        ] = None,
        kind: Annotated[str | None, QueryParameter(pattern="^(email|webhook|channel)$")] = None,
    ) -> OutboxPage:
        rows = await service.list_messages(kind=kind, status=status)
        return OutboxPage(
            items=[
                OutboxItem(
                    id=r["id"],
                    kind=r["kind"],
                    topic=r["topic"],
                    to=r["to_address"],
                    subject=r["subject"],
                    status=r["status"],
                    attempts=r["attempts"],
                    last_error=r["last_error"],
                    ticket_id=r["ticket"],
                    created_at=r["created_at"],
                    sent_at=r["sent_at"],
                )
                for r in rows
            ]
        )

    @post(
        "/{outbox_id:int}/resend", status_code=202, summary="Send a failed email or webhook again"
    )
    async def resend(self, outbox_id: IdPath) -> dict[str, str]:
        await service.resend(outbox_id=outbox_id)
        return {"status": "pending"}
