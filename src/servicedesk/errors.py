"""Domain errors. Services raise them; the app turns them into RFC 9457 problem+json."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    title = "Bad request"
    headers: dict[str, str] = {}  # noqa: RUF012 -- read only; sent with the answer

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


class Unauthorized(DomainError):
    """A request that proves no identity: a missing, forged or stale signature."""

    status_code = 401
    title = "Not authenticated"


class RateLimited(DomainError):
    status_code = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(detail, field=field)
        self.headers = {"Retry-After": str(max(1, retry_after))}
