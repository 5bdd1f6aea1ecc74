"""create_app(): the Litestar application (API, auth, errors, the SPA)."""

from __future__ import annotations

import gc
import logging
import sqlite3
from typing import Any

import asyncpg
from litestar import Litestar, Request, Response, get
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.pydantic import PydanticPlugin
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from servicedesk import contract, db, plugins
from servicedesk.accounts.api import (
    AgentController,
    AuthController,
    TeamController,
    TokenController,
    login_rate_limit,
)
from servicedesk.accounts.guards import PUBLIC, PUBLIC_PATHS, AuthMiddleware
from servicedesk.channels.api import AttachmentController, EmailInboundController
from servicedesk.channels.doors_api import (
    FormController,
    IntegrationController,
    MessagingController,
)
from servicedesk.channels.phone_api import PhoneController
from servicedesk.customers.api import CustomerController, JourneyReportController
from servicedesk.cx.api import PublicSurveyController, ReportController, SurveyAdminController
from servicedesk.errors import DomainError
from servicedesk.imports.api import ImportController
from servicedesk.marketing.api import (
    BounceController,
    CampaignController,
    SegmentController,
    UnsubscribeController,
)
from servicedesk.outbox.api import OutboxBacklogController, OutboxController
from servicedesk.sales.api import LeadController, LeadReportController
from servicedesk.settings import Settings, get_settings
from servicedesk.sla.api import SlaPolicyController
from servicedesk.spa import spa
from servicedesk.tickets.api import ContactController, TicketController

log = logging.getLogger(__name__)
PROBLEM = contract.PROBLEM


def problem(
    status: int, title: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> Response[dict[str, Any]]:
    """An RFC 9457 problem details response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM)


def domain_error(_: Request, exc: DomainError) -> Response[dict[str, Any]]:
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
    response = problem(exc.status_code, exc.title, exc.detail, errors)
    response.headers.update(exc.headers)
    return response


def validation_error(_: Request, exc: ValidationException) -> Response[dict[str, Any]]:
    errors = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            key = str(item.get("key") or "body")
            errors.append({"field": key, "message": str(item.get("message", ""))})
    fields = ", ".join(e["field"] for e in errors) or "the request"
    detail = (
        exc.detail
        if not errors
        else f"invalid {fields}: " + "; ".join(e["message"] for e in errors)
    )
    return problem(400, "Invalid request", detail, errors)


def http_error(_: Request, exc: HTTPException) -> Response[dict[str, Any]]:
    titles = {
        400: "Invalid request",
        401: "Not signed in",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        413: "Request too large",
        429: "Too many requests",
    }
    response = problem(exc.status_code, titles.get(exc.status_code, "Error"), exc.detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def integrity_error(_: Request, exc: Exception) -> Response[dict[str, Any]]:
    """A last line of defence: a constraint the services did not check first is still the
    client's conflict, not a server error."""
    log.warning("constraint violation: %s", exc)
    return problem(
        409,
        "Conflict",
        "the change conflicts with existing data (a duplicate or a missing reference)",
    )


def out_of_range(_: Request, exc: Exception) -> Response[dict[str, Any]]:
    """An id or date too large for the database or the calendar is the client's error."""
    return problem(400, "Invalid request", f"a number or date is out of range: {exc}")


def internal_error(request: Request, exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Internal error",
        "something went wrong on our side; it was logged",
    )


@get("/health", tags=["ops"], summary="Liveness", opt=PUBLIC)
async def health() -> dict[str, str]:
    return {"status": "ok"}


def _freeze_startup_objects() -> None:
    """Moves what start-up allocated (modules, the app, the pool) out of the garbage
    collector's view: a full collection then walks only request garbage, and these pauses
    showed as the tail latency of POST /api/contacts."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    app = Litestar(
        route_handlers=[
            AuthController,
            AgentController,
            TeamController,
            TokenController,
            ContactController,
            EmailInboundController,
            FormController,
            MessagingController,
            IntegrationController,
            AttachmentController,
            PhoneController,
            TicketController,
            CustomerController,
            ReportController,
            JourneyReportController,
            SurveyAdminController,
            PublicSurveyController,
            OutboxController,
            OutboxBacklogController,
            ImportController,
            SlaPolicyController,
            SegmentController,
            CampaignController,
            BounceController,
            UnsubscribeController,
            LeadController,
            LeadReportController,
            health,
            *[handler for plugin in plugins.plugins() for handler in plugin.route_handlers],
            spa,
        ],
        middleware=[
            login_rate_limit(settings.login_attempts_per_minute).middleware,
            # HEAD is authenticated like GET (Litestar would skip it by default).
            DefineMiddleware(
                AuthMiddleware, exclude=PUBLIC_PATHS, exclude_http_methods=["OPTIONS"]
            ),
        ],
        exception_handlers={
            DomainError: domain_error,
            ValidationException: validation_error,
            HTTPException: http_error,
            sqlite3.IntegrityError: integrity_error,
            OverflowError: out_of_range,
            asyncpg.exceptions.DataError: out_of_range,
            asyncpg.exceptions.IntegrityConstraintViolationError: integrity_error,
            Exception: internal_error,
        },
        on_startup=[db.start_pool, _freeze_startup_objects],
        on_shutdown=[db.close_pool],
        openapi_config=OpenAPIConfig(title="servicedesk", version="0.1.0", path="/schema"),
        request_max_body_size=settings.max_body_bytes,
        # Strict: a request body's 0 is not false nor "0", as the OpenAPI schema says.
        plugins=[contract.RequestSchemaPlugin(), PydanticPlugin(validate_strict=True)],
    )
    return contract.apply(app)
