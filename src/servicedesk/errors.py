"""Domain errors. Services raise them; the app turns them into RFC 9457 problem+json."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    status_code = 404
    title = "Not found"


class Conflict(DomainError):
    status_code = 409
    title = "Conflict"


class Invalid(DomainError):
    status_code = 422
    title = "Invalid value"


class Forbidden(DomainError):
    status_code = 403
    title = "Forbidden"


class Gone(DomainError):
    status_code = 410
    title = "Gone"
