"""The rules' sales actions: `create_lead` and `set_lead_stage`, through
servicedesk.sales.service as the rule's Actor (the lead's history shows the rule)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from servicedesk.sales import service as sales

from .actions import ActionFailed, ActionType, Params, Run, _team_id, register


class CreateLeadParams(Params):
    type: Literal["create_lead"]
    # Where the lead came from, kept as its source channel: "ticket" (the ticket's own
    # channel, the default) or a word of the rule's own (web_form, tag, ...).
    source: str = Field(default="ticket", min_length=1, max_length=20, pattern="^[a-z_]+$")
    value: float | None = Field(default=None, ge=0, le=1e11)
    stage: str | None = Field(default=None, max_length=40)
    team: str | None = None  # round robin within it; else the SALES_TEAM setting


@register
class CreateLeadAction(ActionType):
    type, label, model = "create_lead", "Create a sales lead", CreateLeadParams

    def check(self, action: CreateLeadParams, path: str) -> None:
        if action.stage is not None:
            sales.check_stage(action.stage, f"{path}.stage")

    async def check_live(self, action: CreateLeadParams, path: str) -> None:
        await _team_id(action.team, f"{path}.team")

    async def apply(self, action: CreateLeadParams, run: Run, index: int) -> None:
        customer = run.context.get("customer")
        if not customer:
            raise ActionFailed("this event has no customer")
        await sales.create_lead(
            actor=run.actor,
            now=run.now,
            customer_id=int(customer["id"]),
            ticket_id=run.ticket_id,
            value=action.value,
            stage=action.stage,
            team=action.team,
            source_channel=None if action.source == "ticket" else action.source,
        )

    def describe(self, action: CreateLeadParams) -> str:
        extra = f" worth {action.value:g}" if action.value else ""
        return f"create a lead ({action.source}){extra}"


class SetLeadStageParams(Params):
    type: Literal["set_lead_stage"]
    value: str = Field(min_length=1, max_length=40)
    lost_reason: str | None = Field(default=None, max_length=500)


@register
class SetLeadStageAction(ActionType):
    """Moves the event's lead (lead.stage_changed), else the customer's current lead."""

    type, label, model = "set_lead_stage", "Set the lead's stage", SetLeadStageParams

    def check(self, action: SetLeadStageParams, path: str) -> None:
        sales.check_stage(action.value, f"{path}.value")

    async def apply(self, action: SetLeadStageParams, run: Run, index: int) -> None:
        lead = run.context.get("lead")
        if not lead:
            raise ActionFailed("the customer has no lead")
        await sales.set_stage(
            lead_id=int(lead["id"]),
            stage=action.value,
            lost_reason=action.lost_reason,
            actor=run.actor,
            now=run.now,
        )

    def describe(self, action: SetLeadStageParams) -> str:
        return f"set the lead's stage to {action.value}"
