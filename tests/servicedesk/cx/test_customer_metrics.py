"""Customer metrics (retention, churn, contacts per customer, channel mix) and volume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from servicedesk.customers.service import ContactIdentity
from servicedesk.cx.reports import customers_report, cx_report
from servicedesk.tickets import service

JAN, FEB, MAR = (datetime(2026, m, 1, tzinfo=UTC) for m in (1, 2, 3))


async def write(email: str, at: datetime, channel: str = "email") -> int:
    ticket_id, _ = await service.receive_contact(
        contact=service.Contact(channel=channel, identity=ContactIdentity(email=email), body="hi"),
        now=at,
    )
    return ticket_id


async def test_retention_and_churn_follow_the_spec_arithmetic() -> None:
    # January: a, b, c are active. February: a comes back, d is new; b and c are lost.
    for name in ("a", "b", "c"):
        await write(f"{name}@mail.example", JAN + timedelta(days=3))
    await write("a@mail.example", FEB + timedelta(days=2), channel="chat")
    await write("a@mail.example", FEB + timedelta(days=9), channel="phone")
    await write("d@mail.example", FEB + timedelta(days=5))
    report = await customers_report(start=FEB, end=FEB + timedelta(days=28))
    assert (
        report["customers_at_start"],
        report["customers_at_end"],
        report["new"],
        report["lost"],
    ) == (3, 2, 1, 2)
    assert report["churn_rate"] == round(2 / 3, 4) and report["retention_rate"] == round(1 / 3, 4)
    assert report["contacts"] == 3 and report["contacts_per_customer"] == 1.5
    assert {m["channel"]: m["contacts"] for m in report["channel_mix"]} == {
        "chat": 1,
        "email": 1,
        "phone": 1,
    }


async def test_cx_report_gives_volume_and_backlog() -> None:
    await write("a@mail.example", JAN + timedelta(days=1))
    await write("b@mail.example", FEB + timedelta(days=1))
    report = await cx_report(start=FEB, end=MAR, group_by=[])
    assert report["volume"] == {"created": 1, "backlog_at_end": 2}
