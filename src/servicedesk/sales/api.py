"""Leads (every agent reads and creates; agents change the leads they own, leads and admins
all, and only they merge and delete) and the lead report (leads and admins)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import JSONBody, QueryParameter

from servicedesk.accounts.guards import requires_lead
from servicedesk.clock import utcnow
from servicedesk.contract import JsonOrCsv
from servicedesk.cx.api import Format, read_when
from servicedesk.errors import Invalid
from servicedesk.schemas import IdPath, IdQuery
from servicedesk.settings import get_settings

from . import merges, reads, report, service
from .schemas import LeadIn, LeadList, LeadMergeIn, LeadOut, LeadStageIn, LeadStages, LeadUpdate

StageQuery = Annotated[str | None, QueryParameter(max_length=40, pattern="^[a-z0-9_ -]+$")]
_WHEN: dict[str, Any] = {
    "max_length": 40,
    "description": "ISO 8601 with a time zone, e.g. 2026-01-01T00:00:00Z",
    "schema_extra": {"format": "date-time"},
}
WhenQuery = Annotated[str | None, QueryParameter(**_WHEN)]
FromQuery = Annotated[str | None, QueryParameter(name="from", **_WHEN)]


async def _lead(lead_id: int, **extra: Any) -> LeadOut:
    return LeadOut.model_validate({**await reads.get_lead(lead_id=lead_id), **extra})


class LeadController(Controller):
    path = "/api/leads"
    tags = ["sales"]

    @get("/", summary="Leads (not merged away), newest first")
    async def list_leads(
        self,
        stage: StageQuery = None,
        owner_id: IdQuery = None,
        customer_id: IdQuery = None,
        open: Annotated[bool, QueryParameter(description="only open leads")] = False,
    ) -> LeadList:
        if stage is not None:
            service.check_stage(stage)
        items = await reads.list_leads(
            stage=stage, owner_id=owner_id, customer_id=customer_id, open_only=open
        )
        return LeadList.model_validate({"items": items})

    @get("/stages", summary="The pipeline's stages in order (LEAD_STAGES)")
    async def stages(self) -> LeadStages:
        return LeadStages(
            stages=service.stages(),
            open=service.open_stages(),
            closed=list(service.CLOSED),
            currency=get_settings().sales_currency,
        )

    @post("/", summary="Capture a lead (folded into the customer's open lead if any)")
    async def create(self, request: Request, data: JSONBody[LeadIn]) -> LeadOut:
        captured = await service.create_lead(
            actor=request.user.actor,
            now=utcnow(),
            customer_id=data.customer_id,
            ticket_id=data.ticket_id,
            value=data.value,
            currency=data.currency,
            stage=data.stage,
            owner_id=data.owner_id,
            team=data.team,
            expected_close_date=data.expected_close_date,
        )
        return await _lead(captured.lead_id, created=captured.created)

    @get("/{lead_id:int}", summary="A lead with its history")
    async def get_lead(self, lead_id: IdPath) -> LeadOut:
        return await _lead(lead_id)

    @patch("/{lead_id:int}", summary="Change value, currency, owner, close date, lost reason")
    async def update(
        self, request: Request, lead_id: IdPath, data: JSONBody[LeadUpdate]
    ) -> LeadOut:
        await service.update_lead(
            lead_id=lead_id,
            changes=data.model_dump(exclude_unset=True),
            actor=request.user.actor,
            now=utcnow(),
        )
        return await _lead(lead_id)

    @post("/{lead_id:int}/stage", status_code=200, summary="Move a lead to a stage")
    async def set_stage(
        self, request: Request, lead_id: IdPath, data: JSONBody[LeadStageIn]
    ) -> LeadOut:
        await service.set_stage(
            lead_id=lead_id,
            stage=data.stage,
            lost_reason=data.lost_reason,
            actor=request.user.actor,
            now=utcnow(),
        )
        return await _lead(lead_id)

    @post(
        "/{lead_id:int}/merge",
        status_code=200,
        guards=[requires_lead],
        summary="Fold another lead of the same customer into this one",
    )
    async def merge(
        self, request: Request, lead_id: IdPath, data: JSONBody[LeadMergeIn]
    ) -> LeadOut:
        await merges.merge_leads(
            lead_id=lead_id, other_id=data.other_id, actor=request.user.actor, now=utcnow()
        )
        return await _lead(lead_id)

    @delete("/{lead_id:int}", guards=[requires_lead], summary="Delete a lead and its history")
    async def delete_lead(self, lead_id: IdPath) -> None:
        await merges.delete_lead(lead_id=lead_id)


def _when(value: str | None, name: str) -> Any:
    return None if value is None else read_when(value, name)


class LeadReportController(Controller):
    path = "/api/reports/leads"
    tags = ["reports"]
    guards = [requires_lead]

    @get(
        "/",
        operation_class=JsonOrCsv,
        summary="Pipeline by stage, conversion by channel, time in stage, win rate by owner",
    )
    async def leads_report(
        self,
        from_: FromQuery = None,
        to: WhenQuery = None,
        format: Format = "json",
    ) -> Any:
        start, end = _when(from_, "from"), _when(to, "to")
        if start is not None and end is not None and start >= end:
            raise Invalid("from is before to", field="from")
        found = await report.lead_report(start=start, end=end)
        if format == "csv":
            return Response(
                report.report_csv(found),
                media_type="text/csv",
                headers={"Content-Disposition": "attachment; filename=leads.csv"},
            )
        return found
