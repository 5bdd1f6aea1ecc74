"""The error answers of automation's endpoints, for their OpenAPI documents: RFC 9457
problem+json bodies as servicedesk.app shapes them."""

from __future__ import annotations

from litestar.openapi import ResponseSpec
from pydantic import BaseModel


class ProblemField(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemField] | None = None


_DESCRIPTIONS = {
    400: "Malformed request body or parameters",
    401: "Not signed in",
    403: "Not allowed for this role, or missing CSRF token",
    404: "No such resource",
    409: "Conflicts with the resource's state",
    422: "A value is not acceptable (the field is named in errors)",
}


def problems(*codes: int, why: dict[int, str] | None = None) -> dict[int, ResponseSpec]:
    """`responses=` for a route answering these error statuses (401 and 403 always); `why`
    words a status for the resource at hand."""
    why = {**_DESCRIPTIONS, **(why or {})}
    return {
        code: ResponseSpec(
            data_container=Problem,
            media_type="application/problem+json",
            description=why[code],
            generate_examples=False,
        )
        for code in sorted({401, 403, *codes})
    }
