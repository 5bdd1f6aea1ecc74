"""Login and sessions; agents, teams and API tokens (admin)."""

from __future__ import annotations

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import JSONBody

from servicedesk.cx.business_hours import Schedule
from servicedesk.errors import NotFound
from servicedesk.schemas import IdPath
from servicedesk.settings import get_settings

from . import service
from .guards import PUBLIC, SESSION_COOKIE, Principal, requires_admin
from .schemas import (
    AgentCreate,
    AgentOut,
    AgentUpdate,
    LoginIn,
    SessionOut,
    TeamCreate,
    TeamOut,
    TeamUpdate,
    TokenCreate,
    TokenCreated,
    TokenOut,
)

LOGIN_PATH = "/api/auth/login"


async def _is_login(request: Request) -> bool:
    # A coroutine: Litestar runs a plain function here in a worker thread, on every request
    # (about a tenth of a contact's CPU went to that hand-off).
    return request.url.path == LOGIN_PATH


def login_rate_limit(attempts_per_minute: int) -> RateLimitConfig:
    """Throttles sign-in attempts per client address; nothing else is throttled."""
    return RateLimitConfig(
        rate_limit=("minute", attempts_per_minute), check_throttle_handler=_is_login
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post(
        "/login",
        opt={**PUBLIC, "problems": (401, 429)},
        summary="Sign in; sets the session cookie",
    )
    async def login(self, request: Request, data: JSONBody[LoginIn]) -> Response[SessionOut]:
        agent = await service.authenticate(email=data.email, password=data.password)
        if not agent:
            raise NotAuthorizedException("wrong email or password")
        token, csrf = await service.open_session(agent_id=agent["id"])
        response = Response(SessionOut(agent=AgentOut.of(agent), csrf_token=csrf), status_code=200)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            path="/",
            secure=get_settings().base_url.startswith("https://"),
            max_age=service.SESSION_DAYS * 86400,
        )
        return response

    @post(
        "/logout",
        status_code=204,
        summary="Sign out",
        response_cookies=[Cookie(key=SESSION_COOKIE, value="", path="/", max_age=0)],
    )
    async def logout(self, request: Request) -> None:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await service.close_session(token=token)

    @get("/me", summary="The signed-in agent and the CSRF token for unsafe requests")
    async def me(self, request: Request) -> SessionOut:
        principal: Principal = request.user
        return SessionOut(agent=AgentOut.of(principal.agent), csrf_token=principal.csrf_token)


class AgentController(Controller):
    path = "/api/agents"
    tags = ["agents"]

    @get("/", summary="All agents (every agent may list them, to assign tickets)")
    async def list_agents(self) -> list[AgentOut]:
        return [AgentOut.of(a) for a in await service.list_agents()]

    @post("/", guards=[requires_admin], summary="Create an agent")
    async def create_agent(self, data: JSONBody[AgentCreate]) -> AgentOut:
        agent_id = await service.create_agent(**data.model_dump())
        return AgentOut.of(await service.get_agent(agent_id=agent_id))

    @patch(
        "/{agent_id:int}",
        guards=[requires_admin],
        summary="Change an agent's name, role, team, password or status",
    )
    async def update_agent(
        self, request: Request, agent_id: IdPath, data: JSONBody[AgentUpdate]
    ) -> AgentOut:
        principal: Principal = request.user
        await service.get_agent(agent_id=agent_id)
        await service.update_agent(
            agent_id=agent_id,
            changes=data.model_dump(exclude_unset=True),
            actor=principal.actor,
        )
        return AgentOut.of(await service.get_agent(agent_id=agent_id))


def _team(row: dict) -> TeamOut:
    return TeamOut(
        id=row["id"],
        name=row["name"],
        schedule=Schedule.from_json(row["schedule"], get_settings().timezone).to_json(),
    )


class TeamController(Controller):
    path = "/api/teams"
    tags = ["teams"]

    @get("/", summary="Teams with their business hours")
    async def list_teams(self) -> list[TeamOut]:
        return [_team(t) for t in await service.list_teams()]

    @post("/", guards=[requires_admin], summary="Create a team")
    async def create_team(self, data: JSONBody[TeamCreate]) -> TeamOut:
        schedule = Schedule.from_json(data.schedule).to_json() if data.schedule else None
        team_id = await service.get_or_create_team(name=data.name)
        await service.update_team(team_id=team_id, name=None, schedule=schedule)
        return next(_team(t) for t in await service.list_teams() if t["id"] == team_id)

    @patch(
        "/{team_id:int}", guards=[requires_admin], summary="Rename a team or set its business hours"
    )
    async def update_team(self, team_id: IdPath, data: JSONBody[TeamUpdate]) -> TeamOut:
        schedule = (
            Schedule.from_json(data.schedule).to_json() if data.schedule is not None else None
        )
        await service.update_team(team_id=team_id, name=data.name, schedule=schedule)
        teams = [t for t in await service.list_teams() if t["id"] == team_id]
        if not teams:
            raise NotFound(f"team {team_id} does not exist", field="team_id")
        return _team(teams[0])


class TokenController(Controller):
    path = "/api/tokens"
    tags = ["tokens"]
    guards = [requires_admin]

    @get("/", summary="API tokens (never the secret itself)")
    async def list_tokens(self) -> list[TokenOut]:
        return [
            TokenOut(
                id=t["id"],
                name=t["name"],
                agent_id=t["agent"],
                agent_email=t["agent_email"],
                created_at=t["created_at"],
                last_used_at=t["last_used_at"],
                revoked=t["revoked"],
            )
            for t in await service.list_api_tokens()
        ]

    @post("/", summary="Create a token for an integration; the token is shown once")
    async def create_token(self, data: JSONBody[TokenCreate]) -> TokenCreated:
        return TokenCreated(
            token=await service.create_api_token(agent_id=data.agent_id, name=data.name)
        )

    @delete("/{token_id:int}", status_code=204, summary="Revoke a token")
    async def revoke_token(self, token_id: IdPath) -> None:
        await service.revoke_api_token(token_id=token_id)
