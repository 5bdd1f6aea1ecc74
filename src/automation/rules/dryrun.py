"""Dry run: what a rule would have done over a past period, changing nothing.

The period's history (automation.history: the audit trail, messages, survey answers,
customers, the leads' history and the SLA clocks replayed, each event with its ticket as
it was then) is replayed through the rule's conditions, the same compiled conditions the
live runner uses (conditions.compile_conditions), over a context built by the same
functions (context.ticket_view, named_changes, event_context). An event rule is tried on
each event it listens to; a time rule at every full hour of the period, on the tickets a
pass would have looked at then (working, or solved within timerules.RECENTLY_SOLVED_DAYS).

What a replay cannot know (docs/automation-dry-run.md): the customer, their current lead
(but the lead of a lead's event) and a web form's fields are as they are now (tags,
consent, NPS category have no history); the rule's own actions are not applied, so a
time rule fires once per ticket for each stretch of hours its conditions hold; other
rules are not replayed.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from automation.history import (
    STAGE_CHANGED,
    WORKING,
    HistoryEvent,
    hours_between,
    load_history,
    ticket_histories,
    tickets_alive,
)
from servicedesk.channels.form import form_fields
from servicedesk.cx.business_hours import Schedule
from servicedesk.errors import Invalid
from servicedesk.sales import reads as sales

from . import queries, safety
from .actions import describe
from .conditions import compile_conditions
from .context import customer_facts, event_context, named_changes, team_schedule, ticket_view
from .schemas import TimeTrigger
from .service import parse_rule, parsed_actions
from .timerules import RECENTLY_SOLVED_DAYS

MAX_PERIOD = timedelta(days=366)
MAX_ITEMS = 1000  # the answer lists at most this many items; `fired` counts them all


@dataclass
class _Lookups:
    """Agents, teams, schedules, customers (with their current lead) and web forms' fields,
    read once per dry run."""

    agents: dict[int, dict[str, Any]]
    teams: dict[int, str]
    schedules: dict[int | None, Schedule]
    customers: dict[int, dict[str, Any] | None]
    leads: dict[int, dict[str, Any] | None]
    forms: dict[int, dict[str, str]]

    @classmethod
    async def load(cls) -> _Lookups:
        agents = await queries.all_agents()
        teams = await queries.all_team_names()
        return cls(agents=agents, teams=teams, schedules={}, customers={}, leads={}, forms={})

    async def schedule(self, team_id: int | None) -> Schedule:
        if team_id not in self.schedules:
            self.schedules[team_id] = await team_schedule(team_id)
        return self.schedules[team_id]

    async def customer(self, customer_id: int) -> dict[str, Any] | None:
        """The customer as they are now, with their current lead's stage (as the live
        context reads it)."""
        if customer_id not in self.customers:
            customer = await customer_facts(customer_id)
            if customer is not None:
                customer["lead_stage"] = await sales.customer_lead_stage(customer_id)
            self.customers[customer_id] = customer
        return self.customers[customer_id]

    async def lead(self, customer_id: int) -> dict[str, Any] | None:
        """The customer's current lead as it is now (the live context's lead of an event
        that names none)."""
        if customer_id not in self.leads:
            self.leads[customer_id] = await sales.lead_facts(lead_id=None, customer_id=customer_id)
        return self.leads[customer_id]

    async def form(self, state: dict[str, Any]) -> dict[str, str]:
        """A web form ticket's fields (ticket.form.*): their values do not change over the
        ticket's life, so as they are now."""
        if state["channel"] != "web":
            return {}
        if state["id"] not in self.forms:
            self.forms[state["id"]] = await form_fields(ticket_id=int(state["id"]))
        return self.forms[state["id"]]

    async def context(self, event: HistoryEvent) -> dict[str, Any]:
        """The context of a replayed event (or of a time rule's pass: topic "time"), at its
        moment."""
        state, payload = event.ticket, event.payload or {}
        ticket = None
        if state is not None:
            ticket = ticket_view(
                state,
                tags=state["tags"],
                assignee=self.agents.get(state["assignee"]),
                team=self.teams.get(state["team"]),
                reopens=state["reopens"],
                status_changed_at=state["status_changed_at"],
                customer_message_at=state["customer_message_at"],
                form=await self.form(state),
            )
        customer_id = event.customer_id
        customer = await self.customer(customer_id) if customer_id else None
        changes = named_changes(event.changes or {}, self.agents, self.teams)
        lead = event.lead
        if event.topic == STAGE_CHANGED and lead is not None:
            changes["lead.stage"] = [payload["from_stage"], payload["to_stage"]]
            if customer is not None:
                customer = {**customer, "lead_stage": lead["stage"]}
        elif customer_id:
            lead = await self.lead(customer_id)
        message = event.message
        return event_context(
            topic=event.topic,
            now=event.at,
            ticket=ticket,
            customer=customer,
            changes=changes,
            message={"body": message["body"], "channel": message["channel"]} if message else None,
            payload=payload,
            schedule=await self.schedule(state["team"]) if state is not None else None,
            lead=lead,
        )


def _item(event: HistoryEvent, actions: list[str]) -> dict[str, Any]:
    return {
        "ticket_id": event.ticket_id,
        "subject": event.ticket["subject"] if event.ticket else None,
        "customer_id": event.customer_id,
        "event": event.topic,
        "at": event.at,
        "actions": actions,
    }


async def dry_run(*, rule: Any, start: datetime, end: datetime) -> dict[str, Any]:
    """{fired, tickets, items} of the spec: where the rule would have fired in
    [start, end)."""
    parsed = parse_rule(rule)
    if end <= start:
        raise Invalid("`to` must be after `from`", field="to")
    if end - start > MAX_PERIOD:
        raise Invalid("a dry run covers at most 366 days", field="from")
    parsed_list = parsed_actions(parsed)
    actions = [describe(action) for action in parsed_list]
    lookups = await _Lookups.load()
    if isinstance(parsed.trigger, TimeTrigger):
        rearmable = bool(safety.nullified(parsed.conditions, parsed_list))
        fired = await _replay_time_rule(parsed.conditions, rearmable, start, end, lookups)
    else:
        check = compile_conditions(parsed.conditions)
        fired = []
        for event in await load_history(start, end, parsed.trigger.events):
            if check(await lookups.context(event)):
                fired.append(event)
    return {
        "fired": len(fired),
        "tickets": len({event.ticket_id for event in fired if event.ticket_id is not None}),
        "items": [_item(event, actions) for event in fired[:MAX_ITEMS]],
    }


def _looked_at(state: dict[str, Any], hour: datetime) -> bool:
    """Whether a time rules' pass at `hour` looks at the ticket (timerules._candidates)."""
    if state["status"] in WORKING:
        return True
    solved_at = state["solved_at"]
    return (
        state["status"] == "solved"
        and solved_at is not None
        and solved_at >= hour - timedelta(days=RECENTLY_SOLVED_DAYS)
    )


async def _replay_time_rule(
    conditions: Any, rearmable: bool, start: datetime, end: datetime, lookups: _Lookups
) -> list[HistoryEvent]:
    """A rule fires on a ticket once (a pass is an event of topic "time"); one its own actions re-arm (safety.nullified) fires
    again each time its conditions hold again after a pass saw them false."""
    window = timedelta(days=RECENTLY_SOLVED_DAYS)
    histories = await ticket_histories(await tickets_alive(start, end, window), end)
    hours = list(hours_between(start, end))
    fired: list[HistoryEvent] = []
    check = compile_conditions(conditions)
    for history in histories.values():
        moments = [event.at for event in history]
        holding: bool | None = False  # fires again only after the conditions stopped holding
        for hour in hours:
            if holding is None:
                break  # fired once, and cannot be re-armed
            index = bisect.bisect_right(moments, hour) - 1
            if index < 0:
                continue  # not created yet
            state = history[index].ticket
            assert state is not None  # a ticket's own history
            if not _looked_at(state, hour):
                holding = False
                continue
            moment = HistoryEvent("time", hour, state)
            holds = check(await lookups.context(moment))
            if holds and not holding:
                fired.append(moment)
                if not rearmable:
                    holding = None
                    continue
            holding = holds
    fired.sort(key=lambda event: (event.at, event.ticket_id or 0))
    return fired
