"""Rules, their run log (exactly once per (rule, event)) and the firing state of time rules."""

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from servicedesk.tickets.tables import Ticket


class Rule(Table):
    id: Serial
    name = Varchar(length=200, unique=True)
    active = Boolean(default=True)
    position = Integer(default=0)
    # The spec's JSON, each top-level key as written (normalized by schemas.RuleIn).
    trigger = JSON(default="{}")
    conditions = JSON(default="{}")
    actions = JSON(default="[]")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    last_fired_at = Timestamptz(null=True, default=None)
    fired_count = Integer(default=0)
    error_count = Integer(default=0)


class RuleRun(Table):
    """One firing of a rule (or its error, or a chain stopped at the depth limit). `key` is
    "<rule>:<event>" for event rules: the unique index makes a retried event find the run
    its first attempt committed (with the rule's changes) and skip it."""

    id: Serial
    rule = ForeignKey(Rule, index=True)
    key = Varchar(length=60, unique=True, null=True, default=None)
    event = Integer(null=True, default=None)  # the outbox row; NULL for time rules
    topic = Varchar(length=60)  # the event's topic, or "time" for a time rule
    ticket = ForeignKey(Ticket, null=True, default=None)
    actions = JSON(default="[]")  # describe() of each action applied
    error = Text(null=True, default=None)
    at = Timestamptz(index=True)


class TimeRuleState(Table):
    """Whether a time rule has fired on a ticket (and stays quiet there until re-armed by
    its nullifying condition turning false). `key` is "<rule>:<ticket>"."""

    id: Serial
    rule = ForeignKey(Rule, index=True)
    ticket = ForeignKey(Ticket, index=True)
    key = Varchar(length=40, unique=True)
    fired = Boolean(default=True)
    fired_at = Timestamptz()
    times = Integer(default=1)


__all__ = ["Rule", "RuleRun", "TimeRuleState"]
