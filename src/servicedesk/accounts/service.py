"""Agents, teams, roles, login sessions and API tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from servicedesk import text
from servicedesk.actors import Actor
from servicedesk.clock import utcnow
from servicedesk.errors import Conflict, Invalid, NotFound
from servicedesk.settings import get_settings

from .tables import Agent, ApiToken, LoginSession, Team

ROLES = ("agent", "lead", "admin")
SESSION_DAYS = 14


@functools.cache
def _hasher_with(time_cost: int, memory_kib: int) -> tuple[PasswordHasher, str]:
    """The hasher for these costs, and a hash of nothing to verify against when the
    email is unknown, so a login takes as long either way."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    return hasher, hasher.hash("not a password")


def _hasher() -> tuple[PasswordHasher, str]:
    settings = get_settings()
    return _hasher_with(settings.password_hash_time_cost, settings.password_hash_memory_kib)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def get_or_create_team(*, name: str) -> int:
    """Returns the id of the team called `name`, creating it if needed."""
    existing = await Team.select(Team.id).where(Team.name == name).first()
    if existing:
        return int(existing["id"])
    rows = await Team.insert(Team(name=name, schedule={}))
    return int(rows[0]["id"])


async def list_teams() -> list[dict[str, Any]]:
    return await Team.select().order_by(Team.name).output(load_json=True)


async def update_team(*, team_id: int, name: str | None, schedule: dict[str, Any] | None) -> None:
    changes: dict[Any, Any] = {}
    if name is not None:
        changes[Team.name] = name
    if schedule is not None:
        changes[Team.schedule] = schedule
    if changes:
        await Team.update(changes).where(Team.id == team_id)


async def create_agent(
    *,
    email: str,
    name: str,
    role: str = "agent",
    team: str | None = None,
    password: str | None = None,
    now: datetime | None = None,
) -> int:
    """Creates an agent; refuses a second agent with the same email."""
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", field="role")
    email = text.normalize_email(email)
    if await Agent.exists().where(Agent.email == email):
        raise Conflict(f"an agent with email {email} already exists", field="email")
    team_id = await get_or_create_team(name=team) if team else None
    rows = await Agent.insert(
        Agent(
            email=email,
            name=name or email.split("@")[0],
            role=role,
            team=team_id,
            password_hash=_hasher()[0].hash(password) if password else None,
            created_at=now or utcnow(),
        )
    )
    return int(rows[0]["id"])


async def ensure_agent(*, email: str, name: str, team: str | None, now: datetime) -> int:
    """The agent with this email, created if missing (used by the importer)."""
    existing = await Agent.select(Agent.id).where(Agent.email == normalize_email(email)).first()
    if existing:
        return int(existing["id"])
    return await create_agent(email=email, name=name, team=team, now=now)


async def update_agent(*, agent_id: int, changes: dict[str, Any], actor: Actor) -> None:
    """Changes the fields named; null leaves a field as it is, except team_id, where null
    takes the agent out of their team. Agents cannot lower their own role or deactivate
    themselves: an admin would lock themselves (and their API tokens) out."""
    changes = {k: v for k, v in changes.items() if v is not None or k == "team_id"}
    if actor.agent_id == agent_id:
        if changes.get("active") is False:
            raise Conflict("you cannot deactivate yourself", field="active")
        role = changes.get("role")
        if role in ROLES and ROLES.index(role) < ROLES.index(actor.role or "agent"):
            raise Conflict("you cannot lower your own role", field="role")
    values: dict[Any, Any] = {}
    if "role" in changes:
        if changes["role"] not in ROLES:
            raise Invalid(f"role must be one of {', '.join(ROLES)}", field="role")
        values[Agent.role] = changes["role"]
    for key in ("name", "active"):
        if key in changes:
            values[getattr(Agent, key)] = changes[key]
    if "team_id" in changes:
        team_id = changes["team_id"]
        if team_id is not None and not await Team.exists().where(Team.id == team_id):
            raise NotFound(f"team {team_id} does not exist", field="team_id")
        values[Agent.team] = team_id
    if "password" in changes:
        values[Agent.password_hash] = _hasher()[0].hash(changes["password"])
    if values:
        await Agent.update(values).where(Agent.id == agent_id)
        _credentials_changed()


async def get_agent(*, agent_id: int) -> dict[str, Any]:
    agent = await Agent.select().where(Agent.id == agent_id).first()
    if not agent:
        raise NotFound(f"agent {agent_id} does not exist", field="agent_id")
    return agent


async def find_agent_by_email(*, email: str) -> dict[str, Any] | None:
    return await Agent.select().where(Agent.email == normalize_email(email)).first()


async def list_agents() -> list[dict[str, Any]]:
    return await Agent.select().order_by(Agent.name)


async def authenticate(*, email: str, password: str) -> dict[str, Any] | None:
    """The active agent with this email and password, or None."""
    agent = await find_agent_by_email(email=email)
    stored = agent["password_hash"] if agent else None
    try:
        hasher, nothing = _hasher()
        hasher.verify(stored or nothing, password)
    except (VerifyMismatchError, InvalidHashError):
        return None
    if not agent or not stored or not agent["active"]:
        return None
    return agent


async def open_session(*, agent_id: int, now: datetime | None = None) -> tuple[str, str]:
    """Starts a login session; returns (session token for the cookie, CSRF token)."""
    now = now or utcnow()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    await LoginSession.insert(
        LoginSession(
            agent=agent_id,
            token_hash=_digest(token),
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(days=SESSION_DAYS),
        )
    )
    return token, csrf


async def close_session(*, token: str) -> None:
    await LoginSession.delete().where(LoginSession.token_hash == _digest(token))


async def agent_for_session(*, token: str, now: datetime | None = None) -> tuple[dict, str] | None:
    """The agent and CSRF token of a live session, or None."""
    session = (
        await LoginSession.select(LoginSession.agent, LoginSession.csrf_token)
        .where(
            LoginSession.token_hash == _digest(token), LoginSession.expires_at > (now or utcnow())
        )
        .first()
    )
    if not session:
        return None
    agent = await Agent.select().where(Agent.id == session["agent"], Agent.active.eq(True)).first()
    return (agent, session["csrf_token"]) if agent else None


async def create_api_token(*, agent_id: int, name: str = "", now: datetime | None = None) -> str:
    """Creates an API token for an agent; the plain token is returned once and never stored."""
    await get_agent(agent_id=agent_id)
    token = "sdt_" + secrets.token_urlsafe(32)
    await ApiToken.insert(
        ApiToken(agent=agent_id, name=name, token_hash=_digest(token), created_at=now or utcnow())
    )
    return token


async def list_api_tokens() -> list[dict[str, Any]]:
    return await ApiToken.select(
        ApiToken.id,
        ApiToken.name,
        ApiToken.agent,
        ApiToken.agent.email.as_alias("agent_email"),
        ApiToken.created_at,
        ApiToken.last_used_at,
        ApiToken.revoked,
    ).order_by(ApiToken.id)


# Bumped whenever a token is revoked or an agent changes, so that the bearer-token cache
# of this process (accounts.guards) drops what it holds at once; other processes drop
# their entries when these expire (guards.TOKEN_CACHE_SECONDS).
credentials_version = 0


def _credentials_changed() -> None:
    global credentials_version
    credentials_version += 1


async def revoke_api_token(*, token_id: int) -> None:
    await ApiToken.update({ApiToken.revoked: True}).where(ApiToken.id == token_id)
    _credentials_changed()


async def agent_for_api_token(*, token: str) -> dict[str, Any] | None:
    """The active agent owning this unrevoked token, or None (one query: it runs on every
    API request)."""
    owner = ApiToken.select(ApiToken.agent).where(
        ApiToken.token_hash == _digest(token), ApiToken.revoked.eq(False)
    )
    return await Agent.select().where(Agent.id.is_in(owner), Agent.active.eq(True)).first()
