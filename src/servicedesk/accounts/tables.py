"""Agents, teams, login sessions and API tokens."""

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Team(Table):
    id: Serial
    name = Varchar(length=100, unique=True)
    # Business hours: {"timezone": "Europe/Paris", "hours": {"mon": [["09:00", "17:00"]]},
    # "holidays": ["2026-12-25"]}; empty means the default schedule of the settings.
    schedule = JSON(default="{}")


class Agent(Table):
    id: Serial
    email = Varchar(length=254, unique=True)
    name = Varchar(length=200)
    role = Varchar(length=10, default="agent")
    team = ForeignKey(Team, null=True)
    active = Boolean(default=True)
    password_hash = Varchar(length=200, null=True, default=None)
    created_at = Timestamptz()


class LoginSession(Table):
    id: Serial
    agent = ForeignKey(Agent)
    token_hash = Varchar(length=64, unique=True)
    csrf_token = Varchar(length=64)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class ApiToken(Table):
    id: Serial
    agent = ForeignKey(Agent)
    name = Varchar(length=100, default="")
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked = Boolean(default=False)
