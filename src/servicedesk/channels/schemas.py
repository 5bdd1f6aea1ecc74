"""Response models of email in."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

InboundStatus = Literal["created", "threaded", "duplicate", "ignored", "bounce"]


class InboundOut(BaseModel):
    """What became of a message: `ignored` means a machine wrote it (auto-reply, list,
    mailer-daemon, over the sender's rate limit): recorded on its ticket, flagged so that
    nothing automatic answers it; `reason` says why."""

    ticket_id: int | None
    interaction_id: int | None
    status: InboundStatus
    email_id: int
    reason: str = ""
    warning: str = ""


class AttachmentOut(BaseModel):
    id: int
    interaction_id: int | None
    filename: str
    content_type: str
    size: int
    inline: bool
    stored: bool  # False: over the size limit, not kept
    url: str

    @classmethod
    def of(cls, row: dict[str, Any]) -> AttachmentOut:
        return cls(
            id=row["id"],
            interaction_id=row["interaction"],
            filename=row["filename"],
            content_type=row["content_type"],
            size=row["size"],
            inline=row["inline"],
            stored=row["sha256"] is not None,
            url=f"/api/attachments/{row['id']}",
        )


class Problem(BaseModel):
    """RFC 9457 problem details, as every error answers."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None
