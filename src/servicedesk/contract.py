"""The API contract in the OpenAPI schema, applied to every route when the app is built:
the problem+json answers each operation can give, request bodies that refuse unknown
fields, and the Allow header of OPTIONS. A new controller gets all of it without a line of
its own; tests/contract runs schemathesis against the result.

Which problems an operation documents follows from what it takes (docs/api.md, Errors):
every operation behind the login answers 401 and 403; one that takes parameters or a body
answers 400 (malformed) and 422 (a value the rules refuse); one with an id in the path, or a
write with a body, answers 404 (an id it names does not exist); a write with a body or an id
in the path answers 409 (a conflict); one with a body answers 413. A handler adds what only it answers with opt={"problems": (...)}."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.plugins.pydantic import PydanticSchemaPlugin
from litestar.routes import HTTPRoute
from litestar.typing import FieldDefinition
from pydantic import BaseModel

from servicedesk.schemas import Request

PROBLEM = "application/problem+json"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details. `errors` names the fields at fault; an answer may carry
    more members (the import's counts)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


WHY = {
    400: "Malformed request: not JSON, a wrong type, an unknown field or parameter",
    401: "Not signed in, or the API token is not valid",
    403: "The agent's role does not allow this, or the X-CSRF-Token header is missing",
    404: "A resource the request names does not exist",
    409: "The change conflicts with the current state (a duplicate, a refused status change)",
    410: "The resource existed and is gone",
    413: "The request body is larger than the server accepts",
    415: "The request body is not of a media type the operation takes",
    422: "A value the rules refuse; `errors` names the field",
    429: "Too many attempts; try again later",
}

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Handler arguments Litestar fills from the connection rather than from the request's
# parameters.
NOT_PARAMETERS = {"request", "data", "state", "scope", "headers", "cookies", "query", "socket"}


def problem_codes(route: HTTPRoute, handler: HTTPRouteHandler) -> set[int]:
    """The 4xx statuses an operation can answer (see the module docstring)."""
    codes = set(handler.opt.get("problems", ()))
    fields = handler.parsed_fn_signature.parameters
    takes_body = "data" in fields or bool(handler.opt.get("body"))
    takes_parameters = bool(route.path_parameters) or any(
        name not in NOT_PARAMETERS for name in fields
    )
    if not handler.opt.get("exclude_from_auth"):
        codes |= {401, 403}
    if takes_parameters or takes_body:
        codes |= {400, 422}
    writes = bool(handler.http_methods & WRITES)
    if route.path_parameters or (writes and takes_body):
        codes.add(404)
    if writes and (takes_body or route.path_parameters):
        codes.add(409)
    if takes_body:
        codes.add(413)
    return codes


def _problem(status: int) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        media_type=PROBLEM,
        description=WHY.get(status, "Error"),
        generate_examples=False,
    )


def apply(app: Litestar) -> Litestar:
    """Documents the problem answers of every route of `app` and repairs OPTIONS."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        _repair_options(route)
        for handler in route.route_handlers:
            if "OPTIONS" in handler.http_methods:
                continue
            own = dict(handler.responses or {})
            handler.responses = {
                **{code: _problem(code) for code in sorted(problem_codes(route, handler))},
                **own,
            }
    return app


def _repair_options(route: HTTPRoute) -> None:
    """Litestar's automatic OPTIONS handler lists the methods of the route object it was
    made for; when a second handler joins the path, Litestar builds a new route but keeps
    the old OPTIONS handler (GET /api/tickets/{id} answered `Allow: GET, OPTIONS` without
    PATCH). Point it at the route that serves the path."""
    for handler in route.route_handlers:
        if "OPTIONS" not in handler.http_methods:
            continue
        for cell in getattr(handler.fn, "__closure__", None) or ():
            if isinstance(cell.cell_contents, HTTPRoute) and cell.cell_contents is not route:
                cell.cell_contents = route


class RequestSchemaPlugin(PydanticSchemaPlugin):
    """Request bodies (servicedesk.schemas.Request) refuse unknown fields: their schema
    says additionalProperties: false. A model's json_schema_extra (keys named as Litestar's
    Schema attributes, e.g. min_properties) is copied onto its schema, since Litestar reads
    only field-level extras; and a list's max_length becomes maxItems (Litestar writes
    maxLength, which JSON Schema ignores for arrays)."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return isinstance(value, type) and issubclass(value, Request)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = self.for_pydantic_model(field_definition, schema_creator)
        schema.additional_properties = False
        extra = field_definition.annotation.model_config.get("json_schema_extra") or {}
        for key, value in extra.items():
            setattr(schema, key, value)
        for prop in (schema.properties or {}).values():
            if isinstance(prop, Schema):
                _place_lengths(prop)
        return schema


def _place_lengths(prop: Schema) -> None:
    """Litestar writes a field's length limits beside `oneOf` (for `X | None`) and as
    maxLength for lists too. They belong on the variant they limit: minItems/maxItems on an
    array, minLength/maxLength on the string (where schemathesis also generates boundary
    values quickly; beside oneOf, a 20,000-character limit took it minutes)."""
    variants = [v for v in [prop, *(prop.one_of or [])] if isinstance(v, Schema)]
    target = next((v for v in variants if v.type in (OpenAPIType.ARRAY, OpenAPIType.STRING)), None)
    if target is None:
        return
    min_length, max_length = prop.min_length, prop.max_length
    if target is not prop:
        prop.min_length = prop.max_length = None
    if target.type == OpenAPIType.ARRAY:
        target.min_length = target.max_length = None
        target.min_items = target.min_items if min_length is None else min_length
        target.max_items = target.max_items if max_length is None else max_length
    else:
        target.min_length = target.min_length if min_length is None else min_length
        target.max_length = target.max_length if max_length is None else max_length


@dataclass
class JsonOrCsv(Operation):
    """A report: its 200 answer is JSON, or CSV when asked with format=csv."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            ok.content["text/csv"] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))


@dataclass
class JsonLinesBody(Operation):
    """An operation whose request body is a JSON Lines file, read as a stream."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            content={
                "application/x-ndjson": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
            },
            required=True,
        )
