from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from servicedesk.schemas import Email, Id, NonBlank, Request, Text

Role = Literal["agent", "lead", "admin"]


class AgentOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    team_id: int | None
    active: bool

    @classmethod
    def of(cls, row: dict[str, Any]) -> AgentOut:
        return cls(
            id=row["id"],
            email=row["email"],
            name=row["name"],
            role=row["role"],
            team_id=row["team"],
            active=row["active"],
        )


class LoginIn(Request):
    email: Email = Field(max_length=254)
    password: Text = Field(min_length=1, max_length=1000)


class SessionOut(BaseModel):
    agent: AgentOut
    csrf_token: str | None


class AgentCreate(Request):
    email: Email = Field(max_length=254)
    name: Text = Field(default="", max_length=200)
    role: Role = "agent"
    team: NonBlank | None = Field(default=None, max_length=100)
    password: Text | None = Field(default=None, min_length=8, max_length=1000)


class AgentUpdate(Request):
    name: Text | None = Field(default=None, max_length=200)
    role: Role | None = None
    team_id: Id | None = None
    active: bool | None = None
    password: Text | None = Field(default=None, min_length=8, max_length=1000)


class TeamOut(BaseModel):
    id: int
    name: str
    schedule: dict[str, Any]


class TeamCreate(Request):
    name: NonBlank = Field(max_length=100)
    schedule: dict[str, Any] | None = None


class TeamUpdate(Request):
    name: NonBlank | None = Field(default=None, max_length=100)
    schedule: dict[str, Any] | None = None


class TokenCreate(Request):
    agent_id: Id
    name: Text = Field(default="", max_length=100)


class TokenOut(BaseModel):
    id: int
    name: str
    agent_id: int
    agent_email: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


class TokenCreated(BaseModel):
    token: str
