"""Event rules: conditions, ordering, the audit trail, chain depth, failing actions."""

from __future__ import annotations

from automation.rules import service as rules
from servicedesk.tickets import service as tickets

from .helpers import audit, contact, rule, run_log, work


async def test_a_matching_rule_changes_the_ticket_as_the_rule_in_the_audit_trail() -> None:
    created = await rule(
        name="Refund requests are urgent",
        trigger={"events": ["ticket.created", "message.received"]},
        conditions={"all": [{"field": "ticket.subject", "op": "contains", "value": "refund"}]},
        actions=[
            {"type": "set", "field": "priority", "value": "urgent"},
            {"type": "add_tags", "value": ["refund"]},
        ],
    )
    ticket_id = await contact(subject="Refund please")
    other_id = await contact(subject="Question", email="bob@mail.example")
    await work()
    ticket = await tickets.get_ticket(ticket_id=ticket_id)
    assert ticket["priority"] == "urgent" and ticket["tags"] == ["refund"]
    assert (await tickets.get_ticket(ticket_id=other_id))["priority"] == "normal"
    changes = [e for e in await audit(ticket_id) if e["field"] in ("priority", "tags")]
    assert [(e["field"], e["actor_kind"], e["actor_label"]) for e in changes] == [
        ("priority", "rule", "rule: Refund requests are urgent"),
        ("tags", "rule", "rule: Refund requests are urgent"),
    ]
    runs = await run_log(created["id"])
    assert [(r["ticket_id"], r["event"], r["actions"], r["error"]) for r in runs] == [
        (ticket_id, "ticket.created", ["set priority urgent", "add tags refund"], None)
    ]
    # ticket.updated from the rule's change runs nothing more; message.received (the
    # opening message) found the rule already applied to the ticket? No: it is another
    # event, but its conditions still hold, so a second run is logged only if it changed
    # something; the change is idempotent either way.
    again = await tickets.get_ticket(ticket_id=ticket_id)
    assert again["tags"] == ["refund"]


async def test_rules_run_in_position_order_each_seeing_the_earlier_changes() -> None:
    await rule(
        name="second",
        position=20,
        conditions={"all": [{"field": "ticket.priority", "op": "is", "value": "high"}]},
        actions=[{"type": "add_tags", "value": ["saw-high"]}],
    )
    await rule(
        name="first",
        position=10,
        actions=[{"type": "set", "field": "priority", "value": "high"}],
    )
    await rule(
        name="third",
        position=20,
        conditions={"all": [{"field": "ticket.tags", "op": "contains", "value": "saw-high"}]},
        actions=[{"type": "add_tags", "value": ["third"]}],
    )
    ticket_id = await contact()
    await work()
    assert (await tickets.get_ticket(ticket_id=ticket_id))["tags"] == ["saw-high", "third"]


async def test_a_chain_of_rules_stops_at_depth_3_and_the_stop_is_logged() -> None:
    up = await rule(
        name="up",
        position=1,
        trigger={"events": ["ticket.created", "ticket.updated"]},
        conditions={"all": [{"field": "ticket.priority", "op": "is", "value": "normal"}]},
        actions=[{"type": "set", "field": "priority", "value": "high"}],
    )
    down = await rule(
        name="down",
        position=2,
        trigger={"events": ["ticket.updated"]},
        conditions={"all": [{"field": "ticket.priority", "op": "changed_to", "value": "high"}]},
        actions=[{"type": "set", "field": "priority", "value": "normal"}],
    )
    ticket_id = await contact()
    await work()
    # created -> up (1) -> updated -> down (2) -> updated -> up (3) -> updated: stop.
    assert (await tickets.get_ticket(ticket_id=ticket_id))["priority"] == "high"
    up_runs = await run_log(up["id"])
    assert [(r["event"], r["error"]) for r in up_runs] == [
        ("ticket.updated", None),
        ("ticket.created", None),
    ]
    down_runs = await run_log(down["id"])
    assert [r["error"] for r in down_runs] == [
        "not run: the chain of rules is deeper than 3 levels",
        None,
    ]
    assert down_runs[0]["actions"] == []
    listed = {r["name"]: r for r in await rules.list_rules()}
    assert (listed["down"]["fired_count"], listed["down"]["error_count"]) == (1, 1)


async def test_a_failing_action_rolls_back_its_rule_only_and_is_logged() -> None:
    failing = await rule(
        name="tag then notify the team",
        position=1,
        actions=[
            {"type": "add_tags", "value": ["escalated"]},
            {"type": "notify", "to": "leads", "subject": "new", "body": "{{ ticket.id }}"},
        ],
    )
    await rule(name="next", position=2, actions=[{"type": "add_tags", "value": ["next"]}])
    ticket_id = await contact()  # no team: nobody to notify
    await work()
    assert (await tickets.get_ticket(ticket_id=ticket_id))["tags"] == ["next"]
    runs = await run_log(failing["id"])
    assert [(r["actions"], r["error"]) for r in runs] == [([], "the ticket has no team to notify")]
    assert [e["new_value"] for e in await audit(ticket_id) if e["field"] == "tags"] == ["next"]
    listed = {r["name"]: r for r in await rules.list_rules()}
    assert listed["tag then notify the team"]["error_count"] == 1


async def test_a_retried_event_applies_nothing_twice() -> None:
    from automation.rules.runner import consume
    from servicedesk.outbox.tables import OutboxMessage

    await rule(
        name="note once",
        actions=[{"type": "note", "body": "Thanks {{ customer.email }}"}],
    )
    ticket_id = await contact()
    await work()
    created = (
        await OutboxMessage.select()
        .where(OutboxMessage.topic == "ticket.created")
        .output(load_json=True)
        .first()
    )
    assert created is not None
    await consume(created)  # the worker died after the commit, before marking it sent
    notes = [i for i in await tickets.interactions_of(ticket_id=ticket_id) if not i["public"]]
    assert [n["body_text"] for n in notes] == ["Thanks ann@mail.example"]
