"""Macro endpoints for every agent: thin; parse, call one service function, shape."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import JSONBody

from automation.problems import problems
from servicedesk.accounts.guards import Principal
from servicedesk.schemas import IdPath
from servicedesk.tickets.api import ticket_detail
from servicedesk.tickets.schemas import TicketDetail

from . import service
from .schemas import MacroIn, MacroOut, MacroPatch, MacroPreview, MacroTarget

_WHY = {
    403: "A shared macro changed by a non-admin, or a missing CSRF header",
    404: "No such macro (or another agent's personal one), or no such ticket",
    409: "An action cannot apply to this ticket (e.g. it is closed)",
}


class MacroController(Controller):
    path = "/api/automation/macros"
    tags = ["automation"]

    @get("/", summary="The shared macros and my own", responses=problems(why=_WHY))
    async def list_macros(self, request: Request) -> list[MacroOut]:
        principal: Principal = request.user
        return [MacroOut(**m) for m in await service.list_macros(actor=principal.actor)]

    @post(
        "/",
        status_code=201,
        summary="Create a personal macro (or a shared one, as an admin)",
        responses=problems(400, 422, why=_WHY),
    )
    async def create_macro(self, request: Request, data: JSONBody[MacroIn]) -> MacroOut:
        principal: Principal = request.user
        macro = await service.create_macro(
            name=data.name,
            actions=data.actions,
            reply=data.reply,
            shared=data.shared,
            actor=principal.actor,
        )
        return MacroOut(**macro)

    @get("/{macro_id:int}", summary="A macro", responses=problems(404, why=_WHY))
    async def get_macro(self, request: Request, macro_id: IdPath) -> MacroOut:
        principal: Principal = request.user
        return MacroOut(**await service.get_macro(macro_id=macro_id, actor=principal.actor))

    @patch("/{macro_id:int}", summary="Change a macro", responses=problems(400, 404, 422, why=_WHY))
    async def update_macro(
        self, request: Request, macro_id: IdPath, data: JSONBody[MacroPatch]
    ) -> MacroOut:
        principal: Principal = request.user
        macro = await service.update_macro(
            macro_id=macro_id, changes=data.changes(), actor=principal.actor
        )
        return MacroOut(**macro)

    @delete(
        "/{macro_id:int}",
        status_code=204,
        summary="Delete a macro",
        responses=problems(404, why=_WHY),
    )
    async def delete_macro(self, request: Request, macro_id: IdPath) -> None:
        principal: Principal = request.user
        await service.delete_macro(macro_id=macro_id, actor=principal.actor)

    @post(
        "/{macro_id:int}/preview",
        status_code=200,
        summary="What the macro would do to a ticket (changes nothing)",
        responses=problems(400, 404, 422, why=_WHY),
    )
    async def preview_macro(
        self, request: Request, macro_id: IdPath, data: JSONBody[MacroTarget]
    ) -> MacroPreview:
        principal: Principal = request.user
        found = await service.preview(
            macro_id=macro_id, ticket_id=data.ticket_id, actor=principal.actor
        )
        return MacroPreview(**found)

    @post(
        "/{macro_id:int}/apply",
        status_code=200,
        summary="Apply the macro to a ticket: its reply, then its actions, as me",
        responses=problems(400, 404, 409, 422, why=_WHY),
    )
    async def apply_macro(
        self, request: Request, macro_id: IdPath, data: JSONBody[MacroTarget]
    ) -> TicketDetail:
        principal: Principal = request.user
        await service.apply(macro_id=macro_id, ticket_id=data.ticket_id, actor=principal.actor)
        return await ticket_detail(data.ticket_id)
