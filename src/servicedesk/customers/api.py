"""Customer endpoints."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter
from litestar.response import Redirect

from servicedesk.accounts.guards import requires_admin, requires_lead
from servicedesk.channels import phone
from servicedesk.clock import utcnow
from servicedesk.cx.api import From, When, read_when
from servicedesk.cx.tables import SurveyResponse
from servicedesk.marketing import service as marketing
from servicedesk.schemas import MAX_ID, IdPath
from servicedesk.text import TEXT_PATTERN
from servicedesk.tickets import service as tickets
from servicedesk.tickets.schemas import InteractionOut, TicketSummary

from . import duplicates, identities, journey, privacy, service
from . import timeline as touchpoints
from .merge import merge_customers
from .schemas import (
    CustomerDetail,
    CustomerPage,
    CustomerSummary,
    CustomerUpdate,
    DuplicateOut,
    Duplicates,
    IdentityAdd,
    IdentityOut,
    JourneyChangeOut,
    JourneyFunnel,
    JourneyStageIn,
    JourneyStages,
    MergeIn,
    SurveyAnswer,
    Timeline,
    TimelineItem,
)


async def customer_detail(customer_id: int) -> CustomerDetail:
    row = await service.get_customer(customer_id=customer_id)
    identities = {i["kind"]: i["value"] for i in reversed(row["identities"])}
    ticket_rows = await tickets.list_tickets(
        filters=tickets.TicketFilter(customer_id=customer_id), limit=100
    )
    answers = (
        await SurveyResponse.select()
        .where(SurveyResponse.customer == customer_id, SurveyResponse.anonymous.eq(False))
        .order_by(SurveyResponse.created_at, ascending=False)
        .limit(100)
    )
    return CustomerDetail(
        **CustomerSummary.of(row, identities).model_dump(),
        identities=[IdentityOut(**i) for i in row["identities"]],
        journey_stage=row["journey_stage"],
        typed_fields=list(row["typed_fields"] or []),
        external_id=row["external_id"],
        notes=row["notes"],
        merged_into=row["merged_into"],
        surveys_opt_out=row["surveys_opt_out"],
        email_bounced=row["email_bounced"],
        marketing_consent=row["marketing_consent"],
        consent_source=row["consent_source"],
        consent_at=row["consent_at"],
        tickets=[TicketSummary.of(t) for t in ticket_rows],
        surveys=[
            SurveyAnswer(
                kind=a["kind"],
                score=a["score"],
                comment=a["comment"],
                ticket_id=a["ticket"],
                created_at=a["created_at"],
            )
            for a in answers
        ],
    )


class CustomerController(Controller):
    path = "/api/customers"
    tags = ["customers"]

    @get("/", summary="Search customers by name, email, phone or handle")
    async def search(
        self,
        q: Annotated[str | None, QueryParameter(max_length=200, pattern=TEXT_PATTERN)] = None,
        cursor: Annotated[int, QueryParameter(ge=0, le=MAX_ID)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> CustomerPage:
        rows = await service.search_customers(query=q or "", after_id=cursor or 0, limit=limit)
        identities = await service.primary_identities([r["id"] for r in rows])
        items = [CustomerSummary.of(r, identities[r["id"]]) for r in rows]
        return CustomerPage(
            items=items, next_cursor=str(rows[-1]["id"]) if len(rows) == limit else None
        )

    @get(
        "/{customer_id:int}",
        summary="A customer with identities, tickets and survey answers (a merged-away"
        " customer redirects to the one it was merged into)",
        responses={
            301: ResponseSpec(
                data_container=None, description="Merged: Location names the survivor"
            )
        },
    )
    async def get_customer(self, customer_id: IdPath) -> Response[CustomerDetail]:
        survivor = await service.live_customer(customer_id)
        if survivor != customer_id:
            return Redirect(  # type: ignore[return-value]
                path=f"/api/customers/{survivor}",
                status_code=301,
                headers={"Cache-Control": "no-store"},
            )
        return Response(await customer_detail(customer_id))

    @get("/{customer_id:int}/identities", summary="The customer's emails, phones and handles")
    async def list_identities(self, customer_id: IdPath) -> list[IdentityOut]:
        await service.get_customer(customer_id=customer_id)
        rows = await identities.list_identities(customer_id=customer_id)
        return [IdentityOut(**row) for row in rows]

    @post(
        "/{customer_id:int}/identities",
        status_code=201,
        summary="Add an email, phone or handle (409 when another customer has it)",
    )
    async def add_identity(
        self, request: Request, customer_id: IdPath, data: JSONBody[IdentityAdd]
    ) -> IdentityOut:
        row = await identities.add_identity(
            customer_id=customer_id,
            kind=data.kind,
            value=data.value,
            actor=request.user.actor,
            now=utcnow(),
        )
        return IdentityOut(**row)

    @delete(
        "/{customer_id:int}/identities/{identity_id:int}",
        status_code=204,
        summary="Remove an identity from the customer",
    )
    async def remove_identity(
        self, request: Request, customer_id: IdPath, identity_id: IdPath
    ) -> None:
        await identities.remove_identity(
            customer_id=customer_id, identity_id=identity_id, actor=request.user.actor, now=utcnow()
        )

    @get(
        "/{customer_id:int}/duplicates",
        summary="Likely duplicates of the customer, with the reasons",
    )
    async def duplicates(self, customer_id: IdPath) -> Duplicates:
        rows = await duplicates.duplicates_of(customer_id=customer_id)
        return Duplicates(items=[DuplicateOut(**row) for row in rows])

    @get(
        "/{customer_id:int}/timeline",
        summary="Every touchpoint of the customer, newest first: messages on all channels,"
        " surveys, campaign emails, journey stage changes",
    )
    async def timeline(
        self,
        customer_id: IdPath,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        before: Annotated[str | None, QueryParameter(max_length=80, pattern=TEXT_PATTERN)] = None,
    ) -> Timeline:
        customer = await service.get_customer(customer_id=customer_id)
        items, next_before = await touchpoints.page(
            customer_id=customer_id, limit=limit, before=before
        )
        entries = [
            TimelineItem(
                **{k: v for k, v in item.items() if k != "message"},
                message=InteractionOut.of(item["message"], customer["name"])
                if item["message"]
                else None,
            )
            for item in items
        ]
        await phone.attach_calls([entry.message for entry in entries if entry.message])
        return Timeline(items=entries, next=next_before)

    @get("/journey-stages", summary="The journey stages a customer can be in, in funnel order")
    async def journey_stages(self) -> JourneyStages:
        return JourneyStages(stages=list(journey.stages()))

    @put(
        "/{customer_id:int}/journey-stage",
        summary="Move the customer to a journey stage (null: none); kept in its history",
    )
    async def set_journey_stage(
        self, request: Request, customer_id: IdPath, data: JSONBody[JourneyStageIn]
    ) -> CustomerDetail:
        principal = request.user
        await journey.set_stage(
            customer_id=customer_id,
            stage=journey.check_stage(data.stage, "stage"),
            actor=principal.actor,
            source=journey.source_of(principal.actor, principal.via),
        )
        return await customer_detail(customer_id)

    @get("/{customer_id:int}/journey", summary="The customer's journey stage changes")
    async def journey_history(self, customer_id: IdPath) -> list[JourneyChangeOut]:
        await service.get_customer(customer_id=customer_id)
        return [
            JourneyChangeOut(
                id=r["id"],
                from_stage=r["from_stage"],
                to_stage=r["to_stage"],
                source=r["source"],
                actor=r["agent_name"] or r["actor_label"] or r["source"],
                created_at=r["created_at"],
            )
            for r in await journey.history(customer_id=customer_id)
        ]

    @patch("/{customer_id:int}", summary="Update a customer's profile")
    async def update_customer(
        self, request: Request, customer_id: IdPath, data: JSONBody[CustomerUpdate]
    ) -> CustomerDetail:
        changes = data.model_dump(exclude_unset=True)
        changes.pop("add_identity", None)
        if "journey_stage" in changes:
            journey.check_stage(changes["journey_stage"])
        source = changes.pop("consent_source", None)
        if "marketing_consent" in changes:
            consent = changes.pop("marketing_consent")
            principal = request.user
            await marketing.set_consent(
                customer_ids=[customer_id],
                consent=bool(consent),
                source=source or ("agent" if principal.via == "session" else "api"),
                actor=principal.actor,
                now=utcnow(),
            )
        if data.add_identity:
            await identities.add_identity(
                customer_id=customer_id,
                kind=data.add_identity.kind,
                value=data.add_identity.value,
                actor=request.user.actor,
                now=utcnow(),
            )
        stage = changes.pop("journey_stage", ...)
        await service.update_customer(customer_id=customer_id, changes=changes, typed=True)
        if stage is not ...:
            principal = request.user
            await journey.set_stage(
                customer_id=customer_id,
                stage=stage,
                actor=principal.actor,
                source=journey.source_of(principal.actor, principal.via),
            )
        return await customer_detail(customer_id)

    @post(
        "/{customer_id:int}/merge", status_code=200, summary="Merge another customer into this one"
    )
    async def merge(
        self, request: Request, customer_id: IdPath, data: JSONBody[MergeIn]
    ) -> CustomerDetail:
        await merge_customers(keep_id=customer_id, other_id=data.other_id, actor=request.user.actor)
        return await customer_detail(customer_id)

    @get(
        "/{customer_id:int}/export",
        summary="Data request: everything held about the customer, as JSON",
        guards=[requires_admin],
    )
    async def export(self, customer_id: IdPath) -> dict[str, Any]:
        return await privacy.export_customer(customer_id=customer_id)

    @post(
        "/{customer_id:int}/erase",
        status_code=200,
        summary="Data request: anonymise the customer, keeping aggregate metrics",
        guards=[requires_admin],
    )
    async def erase(self, request: Request, customer_id: IdPath) -> CustomerDetail:
        await privacy.erase_customer(
            customer_id=customer_id, actor=request.user.actor, now=utcnow()
        )
        return await customer_detail(customer_id)


class JourneyReportController(Controller):
    path = "/api/reports/journey"
    tags = ["reports"]
    guards = [requires_lead]

    @get("/", summary="Journey funnel: stage entries, exits, transitions and conversion")
    async def funnel(self, from_: From, to: When) -> JourneyFunnel:
        report = await journey.funnel(start=read_when(from_, "from"), end=read_when(to, "to"))
        return JourneyFunnel.model_validate(report)
