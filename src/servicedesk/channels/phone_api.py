"""Phone endpoints: agents log calls on a ticket or from a customer's profile; a CTI system
reports calls at /api/channels/phone/inbound (an admin's integration token)."""

from __future__ import annotations

from litestar import Controller, Request, Response, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from pydantic import BaseModel

from servicedesk.accounts.guards import Principal, requires_admin
from servicedesk.errors import Invalid
from servicedesk.schemas import IdPath

from . import phone
from .schemas import CallIn, CallOut, CtiEvent, CtiOut, CustomerCallIn
from .tables import PhoneCall


class CustomerCallOut(BaseModel):
    ticket_id: int
    call: CallOut


def _call(body: CallIn) -> phone.Call:
    return phone.Call(
        direction=body.direction,
        started_at=body.started_at,
        duration_seconds=body.duration_seconds,
        outcome=body.outcome,
        notes=body.notes,
    )


async def _call_out(call_id: int) -> CallOut:
    row = await PhoneCall.select().where(PhoneCall.id == call_id).first()
    assert row is not None
    return CallOut.of(row)


class PhoneController(Controller):
    path = "/api"
    tags = ["phone"]

    @post("/tickets/{ticket_id:int}/calls", status_code=201, summary="Log a phone call on a ticket")
    async def log_on_ticket(
        self, request: Request, ticket_id: IdPath, data: JSONBody[CallIn]
    ) -> CallOut:
        principal: Principal = request.user
        call_id = await phone.log_call(ticket_id=ticket_id, call=_call(data), actor=principal.actor)
        return await _call_out(call_id)

    @post(
        "/customers/{customer_id:int}/calls",
        status_code=201,
        summary="Log a phone call from a customer's profile: on their ticket, or a new one",
    )
    async def log_on_customer(
        self, request: Request, customer_id: IdPath, data: JSONBody[CustomerCallIn]
    ) -> CustomerCallOut:
        principal: Principal = request.user
        ticket_id, call_id = await phone.log_customer_call(
            customer_id=customer_id,
            call=_call(data),
            actor=principal.actor,
            ticket_id=data.ticket_id,
            subject=data.subject,
        )
        return CustomerCallOut(ticket_id=ticket_id, call=await _call_out(call_id))

    @post(
        "/channels/phone/inbound",
        summary="CTI events: call.started (created 201, else 200) and call.ended",
        guards=[requires_admin],
        status_code=200,
        responses={201: ResponseSpec(data_container=CtiOut, description="A new ticket")},
        description="409: call.ended before its call.started, or concurrent deliveries; 422:"
        " a field the event needs is missing, or a number is no phone number (named).",
    )
    async def cti(self, data: JSONBody[CtiEvent]) -> Response[CtiOut]:
        missing = data.missing()
        if missing:
            raise Invalid(f"{data.event} needs {', '.join(missing)}", field=missing[0])
        if data.event == "call.started":
            assert data.caller is not None and data.started_at is not None
            result = await phone.call_started(
                call_id=data.call_id, caller=data.caller, to=data.to, started_at=data.started_at
            )
        else:
            assert data.duration is not None and data.outcome is not None
            result = await phone.call_ended(
                call_id=data.call_id,
                duration=data.duration,
                outcome=data.outcome,
                recording_url=data.recording_url,
            )
        body = CtiOut(
            status=result.status,  # type: ignore[arg-type]
            call_id=result.call_id,
            ticket_id=result.ticket_id,
            interaction_id=result.interaction_id,
        )
        return Response(body, status_code=201 if result.status == "created" else 200)
