"""Email in over HTTP (for mail gateways and tests), attachment downloads, raw messages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)

from servicedesk.accounts.guards import requires_admin
from servicedesk.errors import DomainError
from servicedesk.schemas import IdPath
from servicedesk.settings import get_settings

from . import service
from .schemas import AttachmentOut, InboundOut

RFC822 = "message/rfc822"


class UnsupportedMediaType(DomainError):
    status_code = 415
    title = "Unsupported media type"


@dataclass
class RawEmailOperation(Operation):
    """The request body is a raw message, not JSON."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            content={
                RFC822: OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                )
            },
            required=True,
            description="The message as received, headers and body (RFC 5322)",
        )


def _download(body: bytes, filename: str, media_type: str) -> Response[bytes]:
    """Always a download, never rendered by the browser (an HTML or SVG file from a
    customer must not run in the desk's origin)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_") or "file"
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )


class EmailInboundController(Controller):
    path = "/api/channels/email"
    tags = ["channels"]
    guards = [requires_admin]

    @post(
        "/inbound",
        summary="Receive a raw email (message/rfc822): created 201, otherwise 200",
        operation_class=RawEmailOperation,
        request_max_body_size=get_settings().mail_max_bytes,
        status_code=200,
        responses={201: ResponseSpec(data_container=InboundOut, description="A new ticket")},
        # The raw body is not a handler argument the contract sees: its problems named here.
        opt={"problems": (400, 409, 413, 415, 422)},
        description="409: concurrent deliveries of the same message conflicted (deliver"
        " again); 413: the message is over MAIL_MAX_BYTES; 415: the body is not"
        " message/rfc822; 422: the body is empty or not an email.",
    )
    async def inbound(self, request: Request) -> Response[InboundOut]:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != RFC822:
            raise UnsupportedMediaType(
                f"send the raw message as {RFC822}, not {media_type or 'no content type'}",
                field="content-type",
            )
        received = await service.receive_email(raw=await request.body(), door="http")
        body = InboundOut(
            ticket_id=received.ticket_id,
            interaction_id=received.interaction_id,
            status=received.status,  # type: ignore[arg-type]
            email_id=received.email_id,
            reason=received.reason,
            warning=received.warning,
        )
        return Response(body, status_code=201 if received.status == "created" else 200)

    @get(
        "/{email_id:int}/raw",
        summary="The raw message as received (kept MAIL_RAW_KEEP_DAYS days)",
        media_type=RFC822,
        description="404: no such email, or its raw bytes were purged.",
    )
    async def raw(self, email_id: IdPath) -> Response[bytes]:
        raw = await service.raw_message(email_id=email_id)
        return _download(raw, f"email-{email_id}.eml", RFC822)


class AttachmentController(Controller):
    path = "/api"
    tags = ["channels"]

    @get(
        "/attachments/{attachment_id:int}",
        summary="Download an attachment (always as a file, its type sniffed from the bytes)",
        media_type="application/octet-stream",
        opt={"problems": (409,)},
        description="409: the attachment was over the size limit and not stored.",
    )
    async def download(self, attachment_id: IdPath) -> Response[bytes]:
        row, data = await service.attachment_content(attachment_id=attachment_id)
        return _download(data, row["filename"], row["content_type"])

    @get("/tickets/{ticket_id:int}/attachments", summary="The attachments of a ticket's emails")
    async def of_ticket(self, ticket_id: IdPath) -> list[AttachmentOut]:
        return [AttachmentOut.of(r) for r in await service.attachments_of(ticket_id=ticket_id)]
