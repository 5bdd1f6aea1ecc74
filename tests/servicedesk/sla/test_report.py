"""SLA achievement per agent and channel in the cx report, checked by hand."""

from __future__ import annotations

from datetime import timedelta

from servicedesk.actors import Actor
from servicedesk.cx import formats, terminal
from servicedesk.tickets import service as tickets
from tests.conftest import make_agent
from tests.servicedesk.cx.conftest import report
from tests.servicedesk.cx.test_terminal import line_of, rendered
from tests.servicedesk.sla.conftest import MONDAY_9AM, contact, make_policy

M, H = timedelta(minutes=1), timedelta(hours=1)


async def _ticket(channel: str, agent: Actor, start: timedelta, reply_after: timedelta) -> None:
    at = MONDAY_9AM + start
    ticket_id, _ = await tickets.receive_contact(
        contact=contact(channel=channel, email=f"c{start.total_seconds():.0f}@mail.example"),
        now=at,
    )
    await tickets.add_agent_message(
        ticket_id=ticket_id, actor=agent, body="Here you go", public=True, now=at + reply_after
    )
    await tickets.set_status(ticket_id=ticket_id, status="solved", actor=agent, now=at + 3 * H)


async def test_first_response_and_resolution_achievement_per_agent_and_channel() -> None:
    await make_policy(targets={"normal": {"first_response": 60, "resolution": 240}})
    alice = Actor.agent(await make_agent("alice@desk.example"), "alice@desk.example")
    bob = Actor.agent(await make_agent("bob@desk.example"), "bob@desk.example")
    await _ticket("email", alice, 0 * H, 30 * M)  # met
    await _ticket("email", alice, 1 * H, 90 * M)  # missed
    await _ticket("email", alice, 2 * H, 60 * M)  # met: exactly on time
    await _ticket("chat", alice, 3 * H, 10 * M)  # met
    await _ticket("email", bob, 4 * H, 61 * M)  # missed

    found = await report(group_by=["agent", "channel"])
    rows = {(row["agent"], row["channel"]): row["sla"] for row in found["rows"]}
    alice_email = rows[("alice@desk.example", "email")]
    assert alice_email["first_response"] == {"measured": 3, "met": 2, "missed": 1, "rate": 0.6667}
    assert alice_email["resolution"] == {"measured": 3, "met": 3, "missed": 0, "rate": 1.0}
    assert alice_email["next_reply"] == {"measured": 0, "met": 0, "missed": 0, "rate": None}
    assert rows[("alice@desk.example", "chat")]["first_response"]["rate"] == 1.0
    assert rows[("bob@desk.example", "email")]["first_response"] == {
        "measured": 1,
        "met": 0,
        "missed": 1,
        "rate": 0.0,
    }
    assert found["totals"]["sla"]["first_response"] == {
        "measured": 5,
        "met": 3,
        "missed": 2,
        "rate": 0.6,
    }
    header = formats.cx_csv(found).splitlines()[0].split(",")
    assert {"sla_first_response_rate", "sla_resolution_met"} <= set(header)
    columns = ["solved", "sla_first_response", "sla_resolution"]
    table = rendered(terminal.cx_table(found, columns=columns), width=120)
    assert line_of(table, "TOTAL") == ["TOTAL", "5", "60.0", "(3/5)", "100.0", "(5/5)"]
