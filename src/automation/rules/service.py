"""Rules: validation (shape, catalog, live references, loop safety), create, read,
update, delete, the run log, export and import."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from servicedesk import writes
from servicedesk.cache import changed
from servicedesk.clock import utcnow
from servicedesk.db import chunks, write_transaction
from servicedesk.errors import Conflict, Invalid, NotFound
from servicedesk.outbox.tables import OutboxMessage

from . import actions as action_types
from . import queries, safety
from .conditions import check_conditions
from .marketing_actions import resolve_campaigns
from .schemas import EVENTS, RuleIn, TimeTrigger
from .tables import Rule, RuleRun

_UNION_MEMBERS = {"EventTrigger", "TimeTrigger"}
_REFERENCE_OPS = ("is", "is_not", "in", "not_in", "changed_to", "changed_from")


def _path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if part in _UNION_MEMBERS:
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def parse_rule(data: Any) -> RuleIn:
    """The rule's shape and catalog checks (no database): 422 naming the dotted field."""
    if not isinstance(data, dict):
        raise Invalid("a rule is a JSON object", field="body")
    try:
        rule = RuleIn.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise Invalid(error["msg"], field=_path(tuple(error["loc"]))) from exc
    if not isinstance(rule.trigger, TimeTrigger):
        for index, event in enumerate(rule.trigger.events):
            where = f"trigger.events[{index}]"
            if event not in EVENTS:
                raise Invalid(f"unknown event {event!r}", field=where)
    check_conditions(rule.conditions)
    parsed_actions(rule)
    return rule


def parsed_actions(rule: RuleIn) -> list[BaseModel]:
    return [action_types.parse(a, f"actions[{i}]") for i, a in enumerate(rule.actions)]


def _stored(rule: RuleIn) -> dict[str, Any]:
    """The rule as it is saved: each action as its checked parameters give it (the
    editor's pickers send every value as text, `"campaign_id": "3"`; saved as 3, so that
    whatever reads the rule back, the campaign page's list of the rules that send it,
    finds the number). Parameters the action left out stay out."""
    return {
        **rule.spec_json(),
        "actions": [
            action.model_dump(mode="json", exclude_unset=True) for action in parsed_actions(rule)
        ],
    }


async def _check_live(rule: RuleIn) -> None:
    """Agents, teams and webhooks the rule names exist."""
    for group in ("all", "any"):
        for index, condition in enumerate(getattr(rule.conditions, group)):
            if condition.field not in ("ticket.assignee", "ticket.team"):
                continue
            if condition.op not in _REFERENCE_OPS:
                continue
            values = condition.value if isinstance(condition.value, list) else [condition.value]
            where = f"conditions.{group}[{index}].value"
            for value in values:
                if condition.field == "ticket.assignee" and not await queries.agent_by_email(value):
                    raise Invalid(f"no agent has the email {value!r}", field=where)
                if condition.field == "ticket.team" and not await queries.team_by_name(value):
                    raise Invalid(f"no team is named {value!r}", field=where)
    for index, action in enumerate(parsed_actions(rule)):
        await action_types.type_of(action).check_live(action, f"actions[{index}]")


async def _check_loops(rule: RuleIn, rule_id: int | None) -> None:
    """Refuses a time rule that re-arms another active time rule re-arming it."""
    if not rule.is_time_rule or not rule.active:
        return
    mine = parsed_actions(rule)
    for other in await queries.active_rules():
        if other["id"] == rule_id or "every" not in other["trigger"]:
            continue
        theirs_rule = RuleIn.model_validate(_spec(other))
        theirs = parsed_actions(theirs_rule)
        if safety.rearms(mine, rule.conditions, theirs) and safety.rearms(
            theirs, theirs_rule.conditions, mine
        ):
            raise Invalid(
                f"this rule and the rule {other['name']!r} re-arm each other (each one's "
                "actions make the other's conditions hold again): they would loop",
                field="actions",
            )


async def validate(data: Any, *, rule_id: int | None = None) -> RuleIn:
    rule = parse_rule(data)
    await _check_live(rule)
    await _check_loops(rule, rule_id)
    return rule


def _spec(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("name", "active", "position", "trigger", "conditions", "actions")}


def rule_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        **_spec(row),
        **{
            k: row[k]
            for k in ("created_at", "updated_at", "last_fired_at", "fired_count", "error_count")
        },
    }


async def _row(rule_id: int) -> dict[str, Any]:
    row = await Rule.select().where(Rule.id == rule_id).output(load_json=True).first()
    if row is None:
        raise NotFound(f"rule {rule_id} does not exist", field="id")
    return row


async def _name_taken(name: str, rule_id: int | None) -> None:
    query = Rule.exists().where(Rule.name == name)
    if rule_id is not None:
        query = query.where(Rule.id != rule_id)
    if await query:
        raise Conflict(f"a rule is already named {name!r}", field="name")


async def create_rule(*, data: Any, now: datetime | None = None) -> dict[str, Any]:
    """Saves a new rule; returns it as the API shows it."""
    now = now or utcnow()
    async with write_transaction():
        rule = await validate(data)
        await _name_taken(rule.name, None)
        spec = _stored(rule)
        inserted = await Rule.insert(Rule(**spec, created_at=now, updated_at=now)).returning(
            Rule.id
        )
        rule_id = int(inserted[0]["id"])
    changed(Rule)
    return rule_out(await _row(rule_id))


async def get_rule(*, rule_id: int) -> dict[str, Any]:
    return rule_out(await _row(rule_id))


async def list_rules() -> list[dict[str, Any]]:
    rows = await Rule.select().order_by(Rule.position).order_by(Rule.id).output(load_json=True)
    return [rule_out(row) for row in rows]


async def update_rule(*, rule_id: int, changes: Any, now: datetime | None = None) -> dict[str, Any]:
    """Changes any subset of the rule's top-level keys (the whole rule is checked again)."""
    now = now or utcnow()
    if not isinstance(changes, dict):
        raise Invalid("the changes are a JSON object", field="body")
    async with write_transaction():
        row = await _row(rule_id)
        rule = await validate({**_spec(row), **changes}, rule_id=rule_id)
        await _name_taken(rule.name, rule_id)
        spec = _stored(rule)
        await Rule.update(
            {getattr(Rule, k): v for k, v in spec.items()} | {Rule.updated_at: now}
        ).where(Rule.id == rule_id)
    changed(Rule)
    return rule_out(await _row(rule_id))


async def delete_rule(*, rule_id: int) -> None:
    async with write_transaction():
        await _row(rule_id)
        await RuleRun.delete().where(RuleRun.rule == rule_id)
        await Rule.delete().where(Rule.id == rule_id)
    changed(Rule)


async def runs(*, rule_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """The rule's run log, newest first."""
    await _row(rule_id)
    rows = (
        await RuleRun.select()
        .where(RuleRun.rule == rule_id)
        .order_by(RuleRun.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return [
        {
            "id": r["id"],
            "rule_id": r["rule"],
            "at": r["at"],
            "ticket_id": r["ticket"],
            "event_id": r["event"],
            "event": r["topic"],
            "actions": list(r["actions"] or []),
            "error": r["error"],
        }
        for r in rows
    ]


# The outbox statuses of an event that may be delivered again (a retry, a re-send): the
# run log's "<rule>:<event>" keys of such an event must stay, or a rule would apply twice.
_MAY_COME_AGAIN = ["pending", "sending", "failed", "unknown"]


async def prune_runs(*, now: datetime, older_than_days: int) -> int:
    """Deletes the run-log rows older than N days (the rules' counters keep their totals),
    a batch at a time (writes.delete_old); keeps those of an event that may still be
    delivered again. Returns how many it deleted."""

    async def of_events_that_may_come_again(rows: list[dict[str, Any]]) -> set[int]:
        events = sorted({int(row["event"]) for row in rows if row["event"] is not None})
        waiting: set[int] = set()
        for part in chunks(events):
            waiting.update(
                int(row["id"])
                for row in await OutboxMessage.select(OutboxMessage.id).where(
                    OutboxMessage.id.is_in(list(part)),
                    OutboxMessage.status.is_in(_MAY_COME_AGAIN),
                )
            )
        return {int(row["id"]) for row in rows if row["event"] in waiting}

    return await writes.delete_old(
        RuleRun,
        RuleRun.at < now - timedelta(days=older_than_days),
        keep=of_events_that_may_come_again,
        columns=(RuleRun.event,),
    )


async def export_rules() -> list[dict[str, Any]]:
    rows = await Rule.select().order_by(Rule.position).order_by(Rule.id).output(load_json=True)
    return [_spec(row) for row in rows]


async def import_rules(
    *, rules: Any, now: datetime | None = None, skip_existing: bool = False
) -> dict[str, int]:
    """Checks every rule of a file first, then creates or updates each by name (or leaves
    an existing one alone with `skip_existing`), in one transaction. A 422 names the
    rule's index: `[2].actions[0].value`. A `send_campaign` action may name its campaign
    instead of its id (marketing_actions.resolve_campaigns)."""
    now = now or utcnow()
    if not isinstance(rules, list):
        raise Invalid("a rules file is a JSON list of rules", field="body")
    counts = {"created": 0, "updated": 0, "skipped": 0}
    async with write_transaction():
        # Campaigns named in the file are found or created in the same transaction.
        rules = await resolve_campaigns(rules, now=now)
        for index, data in enumerate(rules):
            try:
                parse_rule(data)
            except Invalid as exc:
                raise Invalid(exc.detail, field=f"[{index}].{exc.field}") from exc
        for index, data in enumerate(rules):
            existing = await Rule.select(Rule.id).where(Rule.name == data["name"]).first()
            try:
                if existing and skip_existing:
                    counts["skipped"] += 1
                elif existing:
                    await update_rule(rule_id=existing["id"], changes=data, now=now)
                    counts["updated"] += 1
                else:
                    await create_rule(data=data, now=now)
                    counts["created"] += 1
            except Invalid as exc:
                raise Invalid(exc.detail, field=f"[{index}].{exc.field}") from exc
    return counts
