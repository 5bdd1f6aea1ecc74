"""The rules' messaging actions: `email_customer`, `notify` (an agent, a team or its
leads), `send_survey` and `follow_up` (an email cancelled if the customer writes or the
ticket reopens first: followups.py checks it again at send time)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from servicedesk.channels.flags import AUTOMATED_TAG
from servicedesk.cx import surveys
from servicedesk.errors import Invalid

from . import queries
from .actions import (
    ActionFailed,
    ActionType,
    Params,
    Run,
    _agent_id,
    _check_templates,
    _team_id,
    register,
)


class EmailParams(Params):
    type: Literal["email_customer"]
    subject: str = Field(min_length=1)
    body: str = Field(min_length=1)


async def customer_address(run: Run) -> str | None:
    """The customer's address; the action fails if they have none or their mail bounced.
    None (the email is skipped, the rule's other actions apply) when a machine wrote to
    the ticket (tag automated-mail: no mail loop with an auto-responder) or the customer
    reported our mail as spam (suppressed as complained; an unsubscribe is from marketing
    only). docs/automation.md."""
    customer = run.context.get("customer") or {}
    if not customer.get("email") or customer.get("email_bounced"):
        raise ActionFailed("the customer has no email address we can write to")
    if AUTOMATED_TAG in ((run.context.get("ticket") or {}).get("tags") or []):
        return None
    if customer.get("complained"):
        return None
    return str(customer["email"])


@register
class EmailCustomerAction(ActionType):
    type, label, model = "email_customer", "Email the customer", EmailParams

    def check(self, action: EmailParams, path: str) -> None:
        _check_templates(action, path, "subject", "body")

    async def apply(self, action: EmailParams, run: Run, index: int) -> None:
        if address := await customer_address(run):
            await run.email(address, action.subject, action.body, index, "rule_email")

    def describe(self, action: EmailParams) -> str:
        return f"email the customer: {action.subject}"


class NotifyParams(Params):
    type: Literal["notify"]
    to: Literal["agent", "team", "leads"]
    agent: str | None = None  # an agent's email, for to=agent
    team: str | None = None  # team or leads: this team, else the ticket's
    subject: str = Field(min_length=1)
    body: str = Field(min_length=1)


@register
class NotifyAction(ActionType):
    type, label, model = "notify", "Notify an agent, a team or its leads", NotifyParams

    def check(self, action: NotifyParams, path: str) -> None:
        if action.to == "agent" and not action.agent:
            raise Invalid("notify to an agent names the agent's email", field=f"{path}.agent")
        _check_templates(action, path, "subject", "body")

    async def check_live(self, action: NotifyParams, path: str) -> None:
        await _agent_id(action.agent, f"{path}.agent")
        await _team_id(action.team, f"{path}.team")

    async def apply(self, action: NotifyParams, run: Run, index: int) -> None:
        if action.to == "agent":
            agent = await queries.agent_by_email(action.agent or "")
            recipients = [agent["email"]] if agent and agent["active"] else []
        else:
            team_id = await _team_id(action.team, "team")
            if team_id is None:
                team_id = (run.context.get("ticket") or {}).get("team_id")
            if team_id is None:
                raise ActionFailed("the ticket has no team to notify")
            role = "lead" if action.to == "leads" else None
            recipients = [a["email"] for a in await queries.team_agents(team_id, role=role)]
        if not recipients:
            raise ActionFailed(f"nobody to notify ({action.to})")
        for n, address in enumerate(recipients):
            await run.email(address, action.subject, action.body, index * 1000 + n, "rule_notify")

    def describe(self, action: NotifyParams) -> str:
        who = {
            "agent": action.agent,
            "team": f"team {action.team or '(ticket team)'}",
            "leads": f"leads of {action.team or 'the ticket team'}",
        }[action.to]
        return f"notify {who}: {action.subject}"


class SurveyParams(Params):
    type: Literal["send_survey"]
    value: Literal["csat", "nps"]


@register
class SendSurveyAction(ActionType):
    type, label, model = "send_survey", "Send a survey", SurveyParams

    async def apply(self, action: SurveyParams, run: Run, index: int) -> None:
        if action.value == "csat":
            await surveys.schedule_csat(ticket_id=run.need_ticket(), now=run.now)
            return
        customer = run.context.get("customer")
        if not customer:
            raise ActionFailed("this event has no customer")
        await surveys.send_nps(customer_ids=[customer["id"]], now=run.now)

    def describe(self, action: SurveyParams) -> str:
        return f"send {action.value.upper()} survey"


class FollowUpParams(Params):
    type: Literal["follow_up"]
    after_hours: float = Field(gt=0, le=24 * 365)
    subject: str = Field(min_length=1)
    body: str = Field(min_length=1)


FOLLOW_UP_TOPIC = "follow_up"


@register
class FollowUpAction(ActionType):
    """An email to the customer `after_hours` later; followups.cancel_follow_ups drops it when
    the customer writes or the ticket is reopened before it is due."""

    type, label, model = "follow_up", "Follow-up email later", FollowUpParams

    def check(self, action: FollowUpParams, path: str) -> None:
        _check_templates(action, path, "subject", "body")

    async def apply(self, action: FollowUpParams, run: Run, index: int) -> None:
        run.need_ticket()
        if address := await customer_address(run):
            await run.email(
                address,
                action.subject,
                action.body,
                index,
                FOLLOW_UP_TOPIC,
                delay_hours=action.after_hours,
            )

    def describe(self, action: FollowUpParams) -> str:
        return f"follow up after {action.after_hours:g} h: {action.subject}"
