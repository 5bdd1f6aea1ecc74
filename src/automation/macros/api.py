"""Macro endpoints for every agent: thin; parse, call one service function, shape."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import JSONBody

from servicedesk.accounts.guards import Principal
from servicedesk.schemas import IdPath
from servicedesk.tickets.api import ticket_detail
from servicedesk.tickets.schemas import TicketDetail

from . import service
from .schemas import MacroIn, MacroOut, MacroPatch, MacroPreview, MacroTarget


class MacroController(Controller):
    path = "/api/automation/macros"
    tags = ["automation"]

    @get("/", summary="The shared macros and my own")
    async def list_macros(self, request: Request) -> list[MacroOut]:
        principal: Principal = request.user
        return [MacroOut(**m) for m in await service.list_macros(actor=principal.actor)]

    @post(
        "/",
        status_code=201,
        summary="Create a personal macro (or a shared one, as an admin)",
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

    @get("/{macro_id:int}", summary="A macro")
    async def get_macro(self, request: Request, macro_id: IdPath) -> MacroOut:
        principal: Principal = request.user
        return MacroOut(**await service.get_macro(macro_id=macro_id, actor=principal.actor))

    @patch("/{macro_id:int}", summary="Change a macro")
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
    )
    async def delete_macro(self, request: Request, macro_id: IdPath) -> None:
        principal: Principal = request.user
        await service.delete_macro(macro_id=macro_id, actor=principal.actor)

    @post(
        "/{macro_id:int}/preview",
        status_code=200,
        summary="What the macro would do to a ticket (changes nothing)",
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
    )
    async def apply_macro(
        self, request: Request, macro_id: IdPath, data: JSONBody[MacroTarget]
    ) -> TicketDetail:
        principal: Principal = request.user
        await service.apply(macro_id=macro_id, ticket_id=data.ticket_id, actor=principal.actor)
        return await ticket_detail(data.ticket_id)
