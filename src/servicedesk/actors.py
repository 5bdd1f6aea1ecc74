"""Who does a change: an agent, the customer, the system or an automation rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ActorKind = Literal["agent", "customer", "system", "rule"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    agent_id: int | None = None
    label: str = ""
    role: str = ""

    @classmethod
    def agent(cls, agent_id: int, label: str = "", role: str = "agent") -> Actor:
        return cls("agent", agent_id, label, role)


SYSTEM = Actor("system", label="system")
CUSTOMER = Actor("customer", label="customer")
