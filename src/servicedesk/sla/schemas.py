"""SLA policy requests and responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from servicedesk.schemas import Changes, Id, Request, Whole
from servicedesk.tickets.schemas import Channel, Priority

Minutes = Whole | None
# A year: a longer target is a typo.
MAX_MINUTES = 525_600


class Targets(Request):
    """Minutes allowed per target; a target left out (or null) is not measured."""

    first_response: Minutes = Field(default=None, ge=1, le=MAX_MINUTES)
    next_reply: Minutes = Field(default=None, ge=1, le=MAX_MINUTES)
    resolution: Minutes = Field(default=None, ge=1, le=MAX_MINUTES)


class PriorityTargets(Request):
    """Targets per ticket priority; a priority left out (or null) has none. At least one
    target in all, which the service checks (422)."""

    model_config = ConfigDict(json_schema_extra={"min_properties": 1})

    low: Targets | None = None
    normal: Targets | None = None
    high: Targets | None = None
    urgent: Targets | None = None


class SlaPolicyIn(Request):
    name: str = Field(min_length=1, max_length=100)
    channel: Channel | None = None
    team_id: Id | None = None
    business_hours: bool = False
    active: bool = True
    targets: PriorityTargets


class SlaPolicyUpdate(Changes):
    # Absent leaves a value as it is; only channel and team_id can be set to null.
    name: str = Field(default=None, min_length=1, max_length=100)  # type: ignore[assignment]
    channel: Channel | None = None
    team_id: Id | None = None
    business_hours: bool = Field(default=None)  # type: ignore[assignment]
    active: bool = Field(default=None)  # type: ignore[assignment]
    targets: PriorityTargets = Field(default=None)  # type: ignore[assignment]


class SlaPolicyOut(BaseModel):
    id: int
    name: str
    channel: Channel | None
    team_id: int | None
    business_hours: bool
    active: bool
    targets: dict[Priority, Targets]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> SlaPolicyOut:
        return cls(
            id=row["id"],
            name=row["name"],
            channel=row["channel"],
            team_id=row["team"],
            business_hours=row["business_hours"],
            active=row["active"],
            targets=row["targets"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )
