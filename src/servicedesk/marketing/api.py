"""Segments, campaigns and bounce reports (leads and admins), and the public one-click
unsubscribe page (no login: its signed token is the credential)."""

from __future__ import annotations

import html
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, delete, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter, QueryParameter

from servicedesk.accounts.guards import PUBLIC, requires_lead
from servicedesk.clock import utcnow
from servicedesk.errors import DomainError
from servicedesk.schemas import IdPath

from . import campaigns, responses, service
from .schemas import (
    BounceIn,
    CampaignIn,
    CampaignList,
    CampaignOut,
    CampaignReport,
    CampaignUpdate,
    Conditions,
    Members,
    PreviewIn,
    Rendered,
    SegmentCatalog,
    SegmentIn,
    SegmentList,
    SegmentOut,
    SegmentUpdate,
    SendResult,
    TemplateIn,
)
from .segments import catalog


def _segment(row: dict[str, Any]) -> SegmentOut:
    return SegmentOut(
        id=row["id"],
        name=row["name"],
        conditions=Conditions.model_validate(row["conditions"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _campaign(row: dict[str, Any]) -> CampaignOut:
    return CampaignOut(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        segment_id=row["segment"],
        subject=row["subject"],
        body=row["body"],
        status=row["status"],
        send_at=row["send_at"],
        queued_at=row["queued_at"],
        created_at=row["created_at"],
    )


def _members(found: dict[str, Any]) -> Members:
    return Members.model_validate(found)


class SegmentController(Controller):
    path = "/api/segments"
    tags = ["marketing"]
    guards = [requires_lead]

    @get("/", summary="Saved segments")
    async def list_segments(self) -> SegmentList:
        return SegmentList(items=[_segment(r) for r in await service.list_segments()])

    @get("/fields", summary="The fields, operators and choices of segment conditions")
    async def fields(self) -> SegmentCatalog:
        return SegmentCatalog.model_validate({"fields": catalog()})

    @post(
        "/",
        summary="Save a segment (conditions over customer.* fields)",
    )
    async def create(self, request: Request, data: JSONBody[SegmentIn]) -> SegmentOut:
        segment_id = await service.create_segment(
            name=data.name, conditions=data.conditions, actor=request.user.actor, now=utcnow()
        )
        return _segment(await service.get_segment(segment_id=segment_id))

    @post(
        "/preview",
        status_code=200,
        summary="Live count and first members of unsaved conditions",
    )
    async def preview(self, data: JSONBody[PreviewIn]) -> Members:
        return _members(
            await service.members(conditions=data.conditions, now=utcnow(), limit=data.limit)
        )

    @get("/{segment_id:int}", summary="A segment")
    async def get_segment(self, segment_id: IdPath) -> SegmentOut:
        return _segment(await service.get_segment(segment_id=segment_id))

    @patch(
        "/{segment_id:int}",
        summary="Rename a segment or change its conditions",
    )
    async def update(self, segment_id: IdPath, data: JSONBody[SegmentUpdate]) -> SegmentOut:
        await service.update_segment(
            segment_id=segment_id, changes=data.model_dump(exclude_unset=True), now=utcnow()
        )
        return _segment(await service.get_segment(segment_id=segment_id))

    @delete(
        "/{segment_id:int}",
        summary="Delete a segment no campaign uses",
    )
    async def remove(self, segment_id: IdPath) -> None:
        await service.delete_segment(segment_id=segment_id)

    @get(
        "/{segment_id:int}/members",
        summary="The segment's members now (count and a page)",
    )
    async def members(
        self,
        segment_id: IdPath,
        cursor: Annotated[int | None, QueryParameter(ge=0)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> Members:
        conditions = await service.segment_conditions(segment_id=segment_id)
        return _members(
            await service.members(
                conditions=conditions, now=utcnow(), after_id=cursor or 0, limit=limit
            )
        )


class CampaignController(Controller):
    path = "/api/campaigns"
    tags = ["marketing"]
    guards = [requires_lead]

    @get("/", summary="Campaigns, newest first")
    async def list_campaigns(self) -> CampaignList:
        return CampaignList(items=[_campaign(r) for r in await campaigns.list_campaigns()])

    @post(
        "/",
        summary="Create a campaign (segment: sent by /send or at send_at; triggered: by rules)",
    )
    async def create(self, request: Request, data: JSONBody[CampaignIn]) -> CampaignOut:
        campaign_id = await campaigns.create_campaign(
            name=data.name,
            kind=data.kind,
            segment_id=data.segment_id,
            subject=data.subject,
            body=data.body,
            send_at=data.send_at,
            actor=request.user.actor,
            now=utcnow(),
        )
        return _campaign(await campaigns.get_campaign(campaign_id=campaign_id))

    @post(
        "/preview",
        status_code=200,
        summary="Render a subject and body (for a customer)",
    )
    async def preview(self, data: JSONBody[TemplateIn]) -> Rendered:
        return Rendered(
            **await campaigns.preview(
                subject=data.subject, body=data.body, customer_id=data.customer_id
            )
        )

    @get("/{campaign_id:int}", summary="A campaign")
    async def get_campaign(self, campaign_id: IdPath) -> CampaignOut:
        return _campaign(await campaigns.get_campaign(campaign_id=campaign_id))

    @patch(
        "/{campaign_id:int}",
        summary="Edit a campaign not sent yet",
    )
    async def update(self, campaign_id: IdPath, data: JSONBody[CampaignUpdate]) -> CampaignOut:
        await campaigns.update_campaign(
            campaign_id=campaign_id, changes=data.model_dump(exclude_unset=True)
        )
        return _campaign(await campaigns.get_campaign(campaign_id=campaign_id))

    @post(
        "/{campaign_id:int}/test",
        status_code=202,
        summary="Mail the campaign to yourself",
    )
    async def test_send(self, request: Request, campaign_id: IdPath) -> dict[str, str]:
        to = request.user.agent["email"]
        await campaigns.send_test(campaign_id=campaign_id, to=to, now=utcnow())
        return {"to": to}

    @post(
        "/{campaign_id:int}/send",
        status_code=202,
        summary="Queue the campaign now (again: only new members)",
    )
    async def send(self, request: Request, campaign_id: IdPath) -> SendResult:
        return SendResult(
            **await campaigns.send_campaign(
                campaign_id=campaign_id, actor=request.user.actor, now=utcnow()
            )
        )

    @get(
        "/{campaign_id:int}/report",
        summary="Recipients, delivery, unsubscribes, replies, scores",
    )
    async def report(self, campaign_id: IdPath) -> CampaignReport:
        return CampaignReport(**await campaigns.report(campaign_id=campaign_id))


class BounceController(Controller):
    path = "/api/marketing"
    tags = ["marketing"]
    guards = [requires_lead]

    @post(
        "/bounces",
        status_code=204,
        summary="Report a bounce or complaint after delivery",
    )
    async def bounce(self, data: JSONBody[BounceIn]) -> None:
        await responses.record_bounce(email=data.email, kind=data.kind, now=utcnow())


Token = Annotated[str, PathParameter(max_length=300)]
_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}
button{{font-size:1rem;padding:.6rem 1.2rem}}</style></head><body><h1>{title}</h1>{content}</body></html>"""


def _page(title: str, content: str, status: int = 200) -> Response[str]:
    return Response(
        _PAGE.format(title=html.escape(title), content=content),
        media_type=MediaType.HTML,
        status_code=status,
    )


# A link that is not valid is answered with a page too (whoever follows it is a person or
# their mail client), not with a problem+json body.
_NOT_VALID = {
    422: ResponseSpec(
        data_container=str,
        media_type=MediaType.HTML,
        description="The link is not valid: a page that says so",
        generate_examples=False,
    )
}


class UnsubscribeController(Controller):
    """RFC 8058 one-click unsubscribe: mail clients POST `List-Unsubscribe=One-Click` to the
    URL of the List-Unsubscribe header; a person opening it gets a page with one button."""

    path = "/u"
    tags = ["public"]
    opt = PUBLIC

    @get(
        "/{token:str}",
        summary="Unsubscribe confirmation page",
        media_type=MediaType.HTML,
        responses=_NOT_VALID,
    )
    async def page(self, token: Token) -> Response[str]:
        try:
            found = await responses.unsubscribe_page(token=token)
        except DomainError as exc:
            return _page("Link not valid", f"<p>{html.escape(exc.detail)}</p>", exc.status_code)
        if found["unsubscribed"]:
            return _page(
                "You are unsubscribed", "<p>You will get no more marketing email from us.</p>"
            )
        return _page(
            "Unsubscribe?",
            "<p>Stop marketing email from us? Replies to your requests still reach you.</p>"
            '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
            '<button type="submit">Unsubscribe</button></form>',
        )

    @post(
        "/{token:str}",
        status_code=200,
        summary="One-click unsubscribe (RFC 8058)",
        media_type=MediaType.HTML,
        responses=_NOT_VALID,
    )
    async def unsubscribe(self, token: Token) -> Response[str]:
        try:
            await responses.unsubscribe(token=token, now=utcnow())
        except DomainError as exc:
            return _page("Link not valid", f"<p>{html.escape(exc.detail)}</p>", exc.status_code)
        return _page("You are unsubscribed", "<p>You will get no more marketing email from us.</p>")
