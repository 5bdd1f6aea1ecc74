"""The active rules as the runner uses them: read, validated and compiled once per version
of the rule set, and indexed by the topic they listen to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel

from servicedesk.cache import Cached
from servicedesk.clock import utcnow

from . import queries, safety, service
from .conditions import Check, compile_conditions, merged_parts, parts_read_by
from .context import Parts
from .schemas import Conditions, RuleIn, TimeTrigger
from .tables import Rule


@dataclass(frozen=True)
class LoadedRule:
    id: int
    name: str
    events: frozenset[str]  # empty for a time rule
    conditions: Conditions
    check: Check  # the conditions compiled (conditions.compile_conditions)
    actions: list[BaseModel]
    rearmable: bool  # a time rule with a condition its own actions nullify
    parts: Parts  # what of the context its conditions read beyond ticket and customer

    @property
    def is_time_rule(self) -> bool:
        return not self.events


@dataclass(frozen=True)
class RuleSet:
    rules: list[LoadedRule]  # in (position, id) order
    # The event rules listening to each topic, in order, and what of the context they read.
    by_topic: dict[str, list[LoadedRule]] = field(default_factory=dict)
    parts_by_topic: dict[str, Parts] = field(default_factory=dict)

    @classmethod
    def of(cls, rules: list[LoadedRule]) -> RuleSet:
        by_topic: dict[str, list[LoadedRule]] = {}
        for rule in rules:
            for topic in rule.events:
                by_topic.setdefault(topic, []).append(rule)
        parts = {topic: merged_parts(r.parts for r in found) for topic, found in by_topic.items()}
        return cls(rules=rules, by_topic=by_topic, parts_by_topic=parts)

    def listening(self, topic: str) -> list[LoadedRule]:
        return self.by_topic.get(topic, [])


async def _read_rule_set() -> RuleSet:
    loaded = []
    for row in await queries.active_rules():
        rule = RuleIn.model_validate(
            {k: row[k] for k in ("name", "active", "position", "trigger", "conditions", "actions")}
        )
        actions = service.parsed_actions(rule)
        loaded.append(
            LoadedRule(
                id=row["id"],
                name=row["name"],
                events=frozenset(
                    () if isinstance(rule.trigger, TimeTrigger) else rule.trigger.events
                ),
                conditions=rule.conditions,
                check=compile_conditions(rule.conditions),
                actions=actions,
                rearmable=bool(safety.nullified(rule.conditions, actions)),
                parts=parts_read_by(rule.conditions, actions),
            )
        )
    return RuleSet.of(loaded)


# Read again when rules_version changes; the rule service reports its changes (cache.changed).
cached_rule_set = Cached(Rule, _read_rule_set, version=queries.rules_version)


async def rule_set(*, newest_event: datetime | None = None) -> RuleSet:
    """The active rules, parsed and compiled once per change of the rule set.

    Given the newest event about to be run, the rule set's version is read at most once a
    second: again only when a second has passed, when this process changed a rule, or when
    the event is newer than the last read (a rule saved before an event was raised always
    applies to it). A rule changed in another process meanwhile applies to the events
    raised after the change, and to the others from at most a second later. Without an
    event (the time rules' tick), the version is read every time."""
    return await cached_rule_set.get(since=newest_event or utcnow())


async def active_rules(*, newest_event: datetime | None = None) -> list[LoadedRule]:
    """The active rules in (position, id) order (see rule_set)."""
    return (await rule_set(newest_event=newest_event)).rules
