"""SLA policy endpoints: admins manage, leads and agents read."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import JSONBody

from servicedesk.accounts.guards import Principal, requires_admin
from servicedesk.clock import utcnow
from servicedesk.schemas import IdPath

from . import service
from .schemas import SlaPolicyIn, SlaPolicyOut, SlaPolicyUpdate

CONFLICT = "409: the name is taken, or an active policy has the same channel and team."


class SlaPolicyController(Controller):
    path = "/api/automation/sla-policies"
    tags = ["sla"]

    @get("/", summary="SLA policies")
    async def list_policies(self) -> list[SlaPolicyOut]:
        return [SlaPolicyOut.of(p) for p in await service.list_policies()]

    @post(
        "/",
        status_code=201,
        guards=[requires_admin],
        summary="Create an SLA policy",
        description=CONFLICT,
    )
    async def create_policy(self, request: Request, data: JSONBody[SlaPolicyIn]) -> SlaPolicyOut:
        principal: Principal = request.user
        policy_id = await service.create_policy(
            values=data.model_dump(), actor=principal.actor, now=utcnow()
        )
        return SlaPolicyOut.of(await service.get_policy(policy_id=policy_id))

    @get("/{policy_id:int}", summary="An SLA policy")
    async def get_policy(self, policy_id: IdPath) -> SlaPolicyOut:
        return SlaPolicyOut.of(await service.get_policy(policy_id=policy_id))

    @patch(
        "/{policy_id:int}",
        guards=[requires_admin],
        summary="Change an SLA policy (any subset of its fields)",
        description=CONFLICT,
    )
    async def update_policy(
        self, request: Request, policy_id: IdPath, data: JSONBody[SlaPolicyUpdate]
    ) -> SlaPolicyOut:
        principal: Principal = request.user
        await service.update_policy(
            policy_id=policy_id,
            changes=data.model_dump(exclude_unset=True),
            actor=principal.actor,
            now=utcnow(),
        )
        return SlaPolicyOut.of(await service.get_policy(policy_id=policy_id))

    @delete(
        "/{policy_id:int}",
        status_code=204,
        guards=[requires_admin],
        summary="Delete an SLA policy (tickets keep their due times)",
    )
    async def delete_policy(self, request: Request, policy_id: IdPath) -> None:
        principal: Principal = request.user
        await service.delete_policy(policy_id=policy_id, actor=principal.actor)
