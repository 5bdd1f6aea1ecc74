"""Authentication (cookie session or API token) and role guards for every endpoint."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from servicedesk.actors import Actor

from . import service

SESSION_COOKIE = "sd_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
ROLE_RANK = {"agent": 1, "lead": 2, "admin": 3}
# What needs no login: the OpenAPI schema, and handlers marked with PUBLIC (the login,
# public survey pages, health, the SPA's static files).
PUBLIC_PATHS = [r"^/schema"]
PUBLIC = {"exclude_from_auth": True}


@dataclass(frozen=True)
class Principal:
    agent: dict[str, Any]
    via: str  # "session" | "token"
    csrf_token: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor.agent(self.agent["id"], self.agent["email"], self.agent["role"])


# Bearer token -> agent, cached in this process: API clients (channel adapters, the CRM)
# send a request per contact, and the look-up was a query on every one. A revoked token or
# a deactivated agent is refused at once by the process that made the change, and by the
# other server processes within TOKEN_CACHE_SECONDS.
TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_SIZE = 1024
_token_cache: dict[bytes, tuple[float, int, dict[str, Any]]] = {}


async def agent_for_bearer(token: str) -> dict[str, Any] | None:
    """The agent owning an API token, from the cache while it is fresh."""
    key = hashlib.sha256(token.encode()).digest()
    now = time.monotonic()
    cached = _token_cache.get(key)
    if cached and cached[0] > now and cached[1] == service.credentials_version:
        return cached[2]
    version = service.credentials_version
    agent = await service.agent_for_api_token(token=token)
    if agent is None:
        _token_cache.pop(key, None)  # unknown tokens are not cached: no memory for guesses
        return None
    if len(_token_cache) >= TOKEN_CACHE_SIZE:
        _token_cache.clear()
    _token_cache[key] = (now + TOKEN_CACHE_SECONDS, version, agent)
    return agent


class AuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            agent = await agent_for_bearer(header[7:].strip())
            if not agent:
                raise NotAuthorizedException("the API token is not valid or was revoked")
            return AuthenticationResult(user=Principal(agent, "token"), auth="token")
        cookie = connection.cookies.get(SESSION_COOKIE)
        found = await service.agent_for_session(token=cookie) if cookie else None
        if not found:
            raise NotAuthorizedException("sign in first")
        agent, csrf = found
        if connection.scope.get("method", "GET") not in SAFE_METHODS:
            sent = connection.headers.get(CSRF_HEADER, "")
            if not sent or not hmac.compare_digest(sent, csrf):
                raise PermissionDeniedException("missing or wrong X-CSRF-Token header")
        return AuthenticationResult(user=Principal(agent, "session", csrf), auth="session")


def requires_role(role: str):  # type: ignore[no-untyped-def]
    """A guard admitting agents whose role is `role` or above (agent < lead < admin)."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # a preflight carries no credentials and runs no handler
        principal: Principal = connection.user
        if ROLE_RANK.get(principal.agent["role"], 0) < ROLE_RANK[role]:
            raise PermissionDeniedException(f"this needs the {role} role")

    return guard


requires_lead = requires_role("lead")
requires_admin = requires_role("admin")
