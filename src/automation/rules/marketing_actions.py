"""The marketing actions of rules: `send_campaign` sends a triggered campaign's email to the
event's customer through servicedesk.marketing (consent, suppression and the frequency cap
checked at queue and at send time, once per campaign and customer, counted in the
campaign's report, the rule recorded as the cause).

Registered in actions.ACTIONS by the import at the end of actions.py. Rule files may name a
campaign instead of its id (`{"type": "send_campaign", "campaign": {"name", "subject",
"body"}}`): `resolve_campaigns` finds that triggered campaign by name, or creates it, when
the file is imported (the built-in templates do so)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from servicedesk.actors import Actor
from servicedesk.errors import Invalid, NotFound
from servicedesk.marketing import campaigns

from .actions import ActionFailed, ActionType, Params, Run, register


class SendCampaignParams(Params):
    type: Literal["send_campaign"]
    campaign_id: int


@register
class SendCampaignAction(ActionType):
    type, label, model = "send_campaign", "Send a triggered campaign", SendCampaignParams

    async def check_live(self, action: SendCampaignParams, path: str) -> None:
        field = f"{path}.campaign_id"
        try:
            campaign = await campaigns.get_campaign(campaign_id=action.campaign_id)
        except NotFound as exc:
            raise Invalid(exc.detail, field=field) from exc
        if campaign["kind"] != "triggered":
            raise Invalid(
                f"campaign {action.campaign_id} is a segment campaign; rules send only"
                " triggered ones",
                field=field,
            )

    async def apply(self, action: SendCampaignParams, run: Run, index: int) -> None:
        customer = run.context.get("customer")
        if not customer:
            raise ActionFailed("this event has no customer")
        # A skip (no consent, suppressed, capped) is the campaign's business: it is counted
        # in its report and the rule has done its part.
        await campaigns.send_triggered(
            campaign_id=action.campaign_id,
            customer_id=int(customer["id"]),
            actor=run.actor,
            now=run.now,
        )

    def describe(self, action: SendCampaignParams) -> str:
        return f"send campaign {action.campaign_id}"


IMPORTER = Actor("system", label="rule import")


async def resolve_campaigns(rules: list[Any], *, now: datetime) -> list[Any]:
    """The rules with each `send_campaign` action that names its campaign
    (`"campaign": {"name", "subject", "body"}`) turned into one with its `campaign_id`: the
    triggered campaign of that name, created from the subject and body when missing. In
    the caller's transaction; a 422 names `[rule].actions[i].campaign...`."""
    resolved = []
    for index, rule in enumerate(rules):
        actions = rule.get("actions") if isinstance(rule, dict) else None
        if not isinstance(actions, list):
            resolved.append(rule)
            continue
        out = []
        for number, action in enumerate(actions):
            if _names_its_campaign(action):
                where = f"[{index}].actions[{number}].campaign"
                campaign_id = await _campaign_of(action["campaign"], where, now)
                action = {k: v for k, v in action.items() if k != "campaign"}
                action["campaign_id"] = campaign_id
            out.append(action)
        resolved.append({**rule, "actions": out})
    return resolved


def _names_its_campaign(action: Any) -> bool:
    return (
        isinstance(action, dict)
        and action.get("type") == SendCampaignAction.type
        and "campaign" in action
        and "campaign_id" not in action
    )


async def _campaign_of(ref: Any, where: str, now: datetime) -> int:
    if not isinstance(ref, dict):
        raise Invalid("campaign is {name, subject, body}", field=where)
    for key in ("name", "subject", "body"):
        if not isinstance(ref.get(key), str) or not ref[key].strip():
            raise Invalid(f"the campaign needs a {key}", field=f"{where}.{key}")
    try:
        return await campaigns.find_or_create_triggered(
            name=ref["name"], subject=ref["subject"], body=ref["body"], actor=IMPORTER, now=now
        )
    except Invalid as exc:
        raise Invalid(exc.detail, field=f"{where}.{exc.field}") from exc
