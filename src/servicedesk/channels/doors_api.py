"""The public doors besides email: the web form (JSON or a plain HTML form's urlencoded
post, CORS for the allowed origins) and chat/social bridges (signed); and the admins'
API of chat and social integrations. Thin: parse, call one service function, answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, patch, post, route
from litestar.exceptions import SerializationException, ValidationException
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import JSONBody
from pydantic import ValidationError

from servicedesk.accounts.guards import PUBLIC, requires_admin
from servicedesk.errors import DomainError
from servicedesk.outbox.http import SIGNATURE_HEADER
from servicedesk.schemas import IdPath
from servicedesk.text import NON_BLANK_PATTERN

from . import form, messaging
from .api import UnsupportedMediaType
from .schemas import (
    ChannelMessageIn,
    ChannelMessageOut,
    FormIn,
    FormOut,
    IntegrationIn,
    IntegrationOut,
    IntegrationPatch,
    IntegrationSecretOut,
)

JSON = "application/json"
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


@dataclass
class FormBodyOperation(Operation):
    """The form's body: JSON, or a plain HTML form's fields."""

    def __post_init__(self) -> None:
        text = Schema(type=OpenAPIType.STRING, max_length=form.MAX_FIELD_CHARS)
        properties: dict[str, Any] = {
            "name": Schema(type=OpenAPIType.STRING, max_length=200, pattern=NON_BLANK_PATTERN),
            "email": Schema(type=OpenAPIType.STRING, max_length=254),
            "phone": Schema(type=OpenAPIType.STRING, max_length=40),
            "subject": Schema(type=OpenAPIType.STRING, max_length=300, pattern=NON_BLANK_PATTERN),
            "message": Schema(
                type=OpenAPIType.STRING, max_length=20_000, pattern=NON_BLANK_PATTERN
            ),
            "website": Schema(
                type=OpenAPIType.STRING, max_length=2000, description="the honeypot: leave it empty"
            ),
        }

        def body(**more: Any) -> OpenAPIMediaType:
            return OpenAPIMediaType(
                schema=Schema(
                    type=OpenAPIType.OBJECT,
                    required=["name", "email", "subject", "message"],
                    properties=properties | more,
                    additional_properties=text,
                    max_properties=len(properties) + form.MAX_FIELDS,
                    description=FormIn.__doc__,
                )
            )

        fields = Schema(
            type=OpenAPIType.OBJECT, additional_properties=text, max_properties=form.MAX_FIELDS
        )
        self.request_body = RequestBody(
            # A plain HTML form is flat: its optional fields are its other inputs.
            content={JSON: body(fields=fields), URLENCODED: body()},
            required=True,
        )


def _cors(origin: str | None) -> dict[str, str]:
    if origin is None:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


async def _read_form(request: Request) -> dict[str, Any]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == JSON:
        try:
            data = await request.json()
        except SerializationException as exc:
            raise ValidationException("the body is not JSON", extra=[]) from exc
        if not isinstance(data, dict):
            raise ValidationException(extra=[{"key": "body", "message": "a JSON object"}])
        return data
    if media_type in (URLENCODED, MULTIPART):
        return dict((await request.form()).items())
    raise UnsupportedMediaType(
        f"post the form as {JSON} or {URLENCODED}, not {media_type or 'no content type'}",
        field="content-type",
    )


def _post(data: dict[str, Any]) -> form.FormPost:
    try:
        model = FormIn.model_validate(data)
    except ValidationError as exc:
        raise ValidationException(
            "invalid form",
            extra=[
                {"key": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
                for e in exc.errors()
            ],
        ) from exc
    return form.FormPost(
        name=model.name,
        email=model.email,
        phone=model.phone,
        subject=model.subject,
        message=model.message,
        honeypot=model.website,
        fields=form.custom_fields({**(model.model_extra or {}), "fields": model.fields}),
    )


class FormController(Controller):
    path = "/api/channels/form"
    tags = ["channels"]
    opt = PUBLIC

    # Named to sort before `inbound`: a controller registers its handlers in name order,
    # and Litestar adds its own OPTIONS handler to a route whose first handler has none.
    @route(
        "/inbound",
        http_method="OPTIONS",
        status_code=204,
        summary="CORS preflight of the web form",
        include_in_schema=False,
    )
    async def cors_preflight(self, request: Request) -> Response[None]:
        origin = request.headers.get("origin")
        form.check_origin(origin)
        headers = _cors(origin) | {
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "600",
            "Allow": "POST, OPTIONS",
        }
        return Response(None, status_code=204, headers=headers)

    @post(
        "/inbound",
        status_code=202,
        summary="Post the web form (public; JSON or urlencoded; allowed origins only)",
        operation_class=FormBodyOperation,
        opt={"body": True, "problems": (403, 415, 429)},
    )
    async def inbound(self, request: Request) -> Response[FormOut]:
        origin = request.headers.get("origin")
        form.check_origin(origin)  # refused: no CORS header, the page may not read it
        cors = _cors(origin)
        try:
            post = _post(await _read_form(request))
            await form.receive_form(
                post=post, ip=request.client.host if request.client else "", origin=origin
            )
        except DomainError as exc:
            exc.headers = {**exc.headers, **cors}  # the allowed page reads the problem
            raise
        except ValidationException as exc:
            exc.headers = {**(exc.headers or {}), **cors}
            raise
        return Response(FormOut(), status_code=202, headers=cors)


async def _receive(kind: str, request: Request) -> Response[ChannelMessageOut]:
    received = await messaging.receive_message(
        kind=kind, raw=await request.body(), signature=request.headers.get(SIGNATURE_HEADER)
    )
    body = ChannelMessageOut(
        status=received.status,  # type: ignore[arg-type]
        ticket_id=received.ticket_id,
        interaction_id=received.interaction_id,
    )
    return Response(body, status_code=201 if received.status == "created" else 200)


SIGNED = {"problems": (401,)}  # a missing, forged or stale signature


class MessagingController(Controller):
    """Chat widgets and social bridges: public routes, authenticated by the signature."""

    path = "/api/channels"
    tags = ["channels"]
    opt = PUBLIC

    @post(
        "/chat/inbound",
        status_code=200,
        summary="A chat message (signed): created 201, else 200",
        description=ChannelMessageIn.__doc__,
        opt=SIGNED,
    )
    async def chat(
        self, request: Request, data: JSONBody[ChannelMessageIn]
    ) -> Response[ChannelMessageOut]:
        return await _receive("chat", request)

    @post(
        "/social/inbound",
        status_code=200,
        summary="A social message (signed): created 201, else 200",
        description=ChannelMessageIn.__doc__,
        opt=SIGNED,
    )
    async def social(
        self, request: Request, data: JSONBody[ChannelMessageIn]
    ) -> Response[ChannelMessageOut]:
        return await _receive("social", request)


def _out(row: dict[str, Any]) -> IntegrationOut:
    return IntegrationOut(**row)


class IntegrationController(Controller):
    path = "/api/channels/integrations"
    tags = ["channels"]
    guards = [requires_admin]

    @get("/", summary="Chat and social integrations (without their secrets)")
    async def list_integrations(self) -> list[IntegrationOut]:
        return [_out(row) for row in await messaging.list_integrations()]

    @post("/", status_code=201, summary="Add an integration; its secret is shown this once")
    async def create_integration(self, data: JSONBody[IntegrationIn]) -> IntegrationSecretOut:
        row, secret = await messaging.create_integration(
            kind=data.kind,
            platform=data.platform,
            name=data.name,
            reply_url=data.reply_url,
            active=data.active,
        )
        return IntegrationSecretOut(**row, secret=secret)

    @get("/{integration_id:int}", summary="An integration (without its secret)")
    async def get_integration(self, integration_id: IdPath) -> IntegrationOut:
        return _out(await messaging.get_integration(integration_id=integration_id))

    @patch("/{integration_id:int}", summary="Rename, set the reply URL, (de)activate")
    async def update_integration(
        self, integration_id: IdPath, data: JSONBody[IntegrationPatch]
    ) -> IntegrationOut:
        return _out(
            await messaging.update_integration(
                integration_id=integration_id, changes=data.changes()
            )
        )

    @post(
        "/{integration_id:int}/secret",
        status_code=201,
        summary="A new secret, shown this once; the old one stops working",
    )
    async def rotate_secret(self, integration_id: IdPath) -> IntegrationSecretOut:
        row, secret = await messaging.rotate_secret(integration_id=integration_id)
        return IntegrationSecretOut(**row, secret=secret)
