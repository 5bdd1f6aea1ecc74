"""Outbox view for admins: sent and failed emails, webhook deliveries and chat/social
replies, and re-send."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import QueryParameter
from pydantic import BaseModel

from servicedesk.accounts.guards import requires_admin, requires_lead
from servicedesk.clock import utcnow
from servicedesk.schemas import IdPath

from . import queries, service


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


class BacklogKind(BaseModel):
    kind: str  # event | email | webhook | channel
    due: int  # should have gone by now: pending and due, or being sent
    oldest_due_at: datetime | None  # when the oldest of those fell due
    scheduled: int  # pending, due later (follow-ups, delayed surveys, retries' backoff)
    failed: int
    unknown: int


class Backlog(BaseModel):
    checked_at: datetime
    kinds: list[BacklogKind]


class OutboxBacklogController(Controller):
    """Leads see it too: the rules page says whether the rules keep up with the events."""

    path = "/api/outbox/backlog"
    tags = ["outbox"]
    guards = [requires_lead]

    @get(
        "/",
        summary="What waits in the outbox, per kind: due, scheduled, failed, unknown",
        description="Leads and admins. `due` rows should have gone by now; a count that "
        "keeps growing, or an old `oldest_due_at`, means the worker is down or behind.",
    )
    async def backlog(self) -> Backlog:
        now = utcnow()
        return Backlog(
            checked_at=now,
            kinds=[BacklogKind(**row) for row in await queries.backlog(now=now)],
        )


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
