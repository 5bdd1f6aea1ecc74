"""The run log's hourly prune: runs older than RULE_RUN_KEEP_DAYS go, except those of an
event that may be delivered again (failed: an admin may re-send it), whose "<rule>:<event>"
key keeps the rule from applying twice."""

from __future__ import annotations

from datetime import timedelta

from automation.rules import service as rules
from servicedesk.clock import utcnow
from servicedesk.outbox import service as outbox
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.settings import get_settings

from .helpers import audit, contact, rule, run_log, work


async def created_event(ticket_id: int) -> int:
    row = (
        await OutboxMessage.select(OutboxMessage.id)
        .where(OutboxMessage.ticket == ticket_id, OutboxMessage.topic == "ticket.created")
        .first()
    )
    assert row is not None
    return int(row["id"])


async def test_old_runs_go_but_those_of_an_event_that_may_come_again() -> None:
    tagging = await rule(
        name="Tag new tickets",
        conditions={"all": [], "any": []},
        actions=[{"type": "add_tags", "value": ["seen"]}],
    )
    tickets = [await contact(email=f"c{n}@mail.example") for n in range(3)]
    await work()
    assert len(await run_log(tagging["id"])) == 3
    # The third event failed after its rules ran (another consumer, say): an admin may
    # send it again.
    failed = await created_event(tickets[2])
    await outbox.mark_attempt_failed(
        outbox_id=failed, attempts=get_settings().mail_max_attempts, error="503", now=utcnow()
    )

    now = utcnow()
    assert await rules.prune_runs(now=now, older_than_days=180) == 0  # none is old yet
    later = now + timedelta(days=181)
    assert await rules.prune_runs(now=later, older_than_days=180) == 2
    [kept] = await run_log(tagging["id"])
    assert (kept["ticket_id"], kept["event_id"]) == (tickets[2], failed)
    assert await rules.prune_runs(now=later, older_than_days=180) == 0
    # Its key still stops the rule from running twice on it when it is re-sent.
    await outbox.resend(outbox_id=failed)
    await work()
    tagged = [e for e in await audit(tickets[2]) if e["field"] == "tags"]
    assert len(tagged) == 1
    assert len(await run_log(tagging["id"])) == 1
    # The rule's totals stay whatever the log keeps.
    assert (await rules.get_rule(rule_id=tagging["id"]))["fired_count"] == 3
