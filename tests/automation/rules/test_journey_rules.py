"""The set_journey_stage action and the customer.journey_stage condition, from live events."""

from __future__ import annotations

from typing import Any

from servicedesk.customers import journey
from servicedesk.customers.tables import Customer

from .helpers import audit, contact, rule, run_log, work


async def stage_of(ticket_id: int) -> Any:
    from servicedesk.tickets import service as tickets

    customer_id = (await tickets.get_ticket(ticket_id=ticket_id))["customer"]
    row = await Customer.select(Customer.journey_stage).where(Customer.id == customer_id).first()
    return customer_id, row["journey_stage"]


async def test_a_rule_sets_the_stage_and_the_history_names_the_rule() -> None:
    created = await rule(
        name="First contact is awareness",
        conditions={"all": [{"field": "customer.journey_stage", "op": "blank"}]},
        actions=[{"type": "set_journey_stage", "value": "awareness"}],
    )
    await rule(
        name="Aware customers are tagged",
        position=200,
        conditions={"all": [{"field": "customer.journey_stage", "op": "is", "value": "awareness"}]},
        actions=[{"type": "add_tags", "value": ["aware"]}],
    )
    ticket_id = await contact(subject="Hello")
    await work()
    customer_id, stage = await stage_of(ticket_id)
    assert stage == "awareness"
    history = await journey.history(customer_id=customer_id)
    assert [(h["from_stage"], h["to_stage"], h["source"], h["actor_label"]) for h in history] == [
        (None, "awareness", "rule", "rule: First contact is awareness")
    ]
    trail = [e for e in await audit(ticket_id) if e["field"] == "journey_stage"]
    assert [(e["actor_kind"], e["new_value"]) for e in trail] == [("rule", "awareness")]
    runs = await run_log(created["id"])
    assert [r["actions"] for r in runs] == [["set journey stage awareness"]]
    # The later rule of the same pass saw the new stage.
    from servicedesk.tickets import service as tickets

    assert (await tickets.get_ticket(ticket_id=ticket_id))["tags"] == ["aware"]
    # The condition no longer holds on the next contact: no second change.
    await contact(subject="Again")
    await work()
    assert len(await journey.history(customer_id=customer_id)) == 1


async def test_a_customer_without_the_stage_does_not_match() -> None:
    await rule(
        name="loyal only",
        conditions={"all": [{"field": "customer.journey_stage", "op": "in", "value": ["loyal"]}]},
        actions=[{"type": "set_journey_stage", "value": "at risk"}],
    )
    ticket_id = await contact(subject="Hi")
    await work()
    assert (await stage_of(ticket_id))[1] is None
