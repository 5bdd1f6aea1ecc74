"""Dry run: what a rule would have done over a past period, changing nothing.

The period's history (automation.history: the audit trail, messages and survey answers,
each event with its ticket as it was then) is replayed through the rule's conditions, the
same compiled conditions the live runner uses (conditions.compile_conditions), over a context built by the same functions
(context.ticket_view, named_changes, event_context). An event rule is tried on each event
it listens to; a time rule at every full hour of the period, on the tickets a pass would
have looked at then (working, or solved within timerules.RECENTLY_SOLVED_DAYS).

What a replay cannot know (docs/automation.md, "Dry run"): the customer is as they are
now (tags, consent, NPS category have no history); the rule's own actions are not applied,
so a time rule fires once per ticket for each stretch of hours its conditions hold; other
rules are not replayed.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from automation.history import (
    WORKING,
    HistoryEvent,
    hours_between,
    load_history,
    ticket_histories,
    tickets_alive,
)
from servicedesk.cx.business_hours import Schedule
from servicedesk.errors import Invalid

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
    """Agents, teams, schedules and customers, read once per dry run."""

    agents: dict[int, dict[str, Any]]
    teams: dict[int, str]
    schedules: dict[int | None, Schedule]
    customers: dict[int, dict[str, Any] | None]

    @classmethod
    async def load(cls) -> _Lookups:
        agents = await queries.all_agents()
        teams = await queries.all_team_names()
        return cls(agents=agents, teams=teams, schedules={}, customers={})

    async def schedule(self, team_id: int | None) -> Schedule:
        if team_id not in self.schedules:
            self.schedules[team_id] = await team_schedule(team_id)
        return self.schedules[team_id]

    async def customer(self, customer_id: int) -> dict[str, Any] | None:
        if customer_id not in self.customers:
            self.customers[customer_id] = await customer_facts(customer_id)
        return self.customers[customer_id]

    async def context(
        self, topic: str, now: datetime, event: HistoryEvent | None, state: dict[str, Any]
    ) -> dict[str, Any]:
        ticket = ticket_view(
            state,
            tags=state["tags"],
            assignee=self.agents.get(state["assignee"]),
            team=self.teams.get(state["team"]),
            reopens=state["reopens"],
            status_changed_at=state["status_changed_at"],
            customer_message_at=state["customer_message_at"],
        )
        message = event.message if event else None
        return event_context(
            topic=topic,
            now=now,
            ticket=ticket,
            customer=await self.customer(state["customer"]),
            changes=named_changes(
                (event.changes if event else None) or {}, self.agents, self.teams
            ),
            message={"body": message["body"], "channel": message["channel"]} if message else None,
            payload=(event.survey if event else None) or {},
            schedule=await self.schedule(state["team"]),
        )


def _item(state: dict[str, Any], topic: str, at: datetime, actions: list[str]) -> dict[str, Any]:
    return {
        "ticket_id": state["id"],
        "subject": state["subject"],
        "event": topic,
        "at": at,
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
        events = set(parsed.trigger.events)
        check = compile_conditions(parsed.conditions)
        fired = []
        for event in await load_history(start, end):
            if event.topic not in events:
                continue
            context = await lookups.context(event.topic, event.at, event, event.ticket)
            if check(context):
                fired.append((event.ticket, event.topic, event.at))
    return {
        "fired": len(fired),
        "tickets": len({state["id"] for state, _, _ in fired}),
        "items": [_item(state, topic, at, actions) for state, topic, at in fired[:MAX_ITEMS]],
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
) -> list[tuple[dict[str, Any], str, datetime]]:
    """A rule fires on a ticket once; one its own actions re-arm (safety.nullified) fires
    again each time its conditions hold again after a pass saw them false."""
    window = timedelta(days=RECENTLY_SOLVED_DAYS)
    histories = await ticket_histories(await tickets_alive(start, end, window), end)
    hours = list(hours_between(start, end))
    fired: list[tuple[dict[str, Any], str, datetime]] = []
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
            if not _looked_at(state, hour):
                holding = False
                continue
            context = await lookups.context("time", hour, None, state)
            holds = check(context)
            if holds and not holding:
                fired.append((state, "time", hour))
                if not rearmable:
                    holding = None
                    continue
            holding = holds
    fired.sort(key=lambda item: (item[2], item[0]["id"]))
    return fired
