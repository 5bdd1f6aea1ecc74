"""The built-in follow-up rules, each end to end: imported from the package's templates,
run by the event consumer and by `servicedesk automation tick --now` for time, emails
received by a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

from automation.rules import service as rules
from automation.rules.cli import builtin_templates
from servicedesk.clock import utcnow
from servicedesk.cx import survey_answers, surveys
from servicedesk.cx.tables import Survey
from servicedesk.outbox import service as outbox
from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import Ticket
from tests.smtp import SmtpServer

from .helpers import audit, contact, desk_team, tick, work, worked_ticket


async def builtins() -> dict[str, int]:
    await rules.import_rules(rules=builtin_templates())
    return {r["name"]: r["id"] for r in await rules.list_rules()}


async def test_the_builtin_templates_import_and_are_active() -> None:
    await desk_team()
    names = await builtins()
    assert len(names) == 5
    assert all(r["active"] for r in await rules.list_rules())
    # Importing again updates them by name instead of adding copies.
    await builtins()
    assert len(await rules.list_rules()) == 5


async def test_post_solve_check_in_after_3_days_unless_the_customer_writes(
    smtp_server: SmtpServer,
) -> None:
    people = await desk_team()
    await builtins()
    quiet = await worked_ticket(people, status="solved")
    writes_back = await worked_ticket(people, email="carl@mail.example", status="solved")
    await work()
    await contact(body="It broke again", email="carl@mail.example", ticket_id=writes_back)
    await work()
    start = utcnow()
    tick(start + timedelta(hours=71))
    assert smtp_server.about("Is everything working?") == []
    tick(start + timedelta(hours=73))
    check_ins = smtp_server.about("Is everything working?")
    assert [m["To"] for m in check_ins] == ["ann@mail.example"]
    assert f"[#{quiet}]" in str(check_ins[0]["Subject"])
    tick(start + timedelta(hours=80))
    assert len(smtp_server.about("Is everything working?")) == 1


async def test_pending_reminder_after_48h_once_then_auto_solve_after_7_days(
    smtp_server: SmtpServer,
) -> None:
    people = await desk_team()
    names = await builtins()
    ticket_id = await worked_ticket(people, status="pending")
    await work()
    start = utcnow()
    tick(start + timedelta(hours=47))
    assert smtp_server.about("We are waiting for your answer") == []
    tick(start + timedelta(hours=49))
    tick(start + timedelta(hours=50))
    reminders = smtp_server.about("We are waiting for your answer")
    assert [m["To"] for m in reminders] == ["ann@mail.example"]
    assert (await tickets.get_ticket(ticket_id=ticket_id))["status"] == "pending"
    tick(start + timedelta(hours=169))
    assert (await tickets.get_ticket(ticket_id=ticket_id))["status"] == "solved"
    trail = [e for e in await audit(ticket_id) if e["field"] == "status"]
    assert (trail[-1]["new_value"], trail[-1]["actor_kind"], trail[-1]["actor_label"]) == (
        "solved",
        "rule",
        "rule: Auto-solve after 7 days pending",
    )
    notes = [i for i in await tickets.interactions_of(ticket_id=ticket_id) if not i["public"]]
    assert ["Solved automatically" in n["body_text"] for n in notes] == [True]
    runs = await rules.runs(rule_id=names["Auto-solve after 7 days pending"])
    assert [(r["ticket_id"], r["event"], r["error"]) for r in runs] == [(ticket_id, "time", None)]
    tick(start + timedelta(hours=170))
    assert len(await rules.runs(rule_id=names["Auto-solve after 7 days pending"])) == 1


async def test_first_response_breach_notifies_the_leads_of_the_ticket_team(
    smtp_server: SmtpServer,
) -> None:
    people = await desk_team()
    await builtins()
    ticket_id = await worked_ticket(people)
    due = utcnow().isoformat()
    for target in ("first_response", "resolution"):
        await outbox.emit_event(
            topic="sla.breached",
            payload={"ticket_id": ticket_id, "target": target, "due_at": due},
            ticket_id=ticket_id,
            now=utcnow(),
        )
    await work()
    alerts = smtp_server.about("First response overdue")
    assert [m["To"] for m in alerts] == ["lena@desk.example"]
    assert f"[#{ticket_id}]" in str(alerts[0]["Subject"])


async def test_csat_of_2_or_less_opens_a_recovery_ticket_for_the_lead(
    smtp_server: SmtpServer,
) -> None:
    people = await desk_team()
    names = await builtins()
    unhappy = await worked_ticket(people, status="solved")
    happy = await worked_ticket(people, email="carl@mail.example", status="solved")
    await work()
    for ticket_id, rating in ((unhappy, 1), (happy, 4)):
        survey = await Survey.select(Survey.nonce).where(Survey.ticket == ticket_id).first()
        assert survey is not None
        await survey_answers.answer_survey(
            token=surveys.link_token(survey["nonce"]),
            rating=rating,
            comment="too slow",
            ces_score=None,
        )
    await work()
    recovery = await Ticket.select().where(Ticket.follow_up_of.is_not_null())
    assert len(recovery) == 1
    new = recovery[0]
    assert (new["follow_up_of"], new["assignee"], new["team"], new["priority"]) == (
        unhappy,
        people["lena"],
        people["team"],
        "high",
    )
    assert new["subject"] == "Service recovery: Order 12 is late"
    note = (await tickets.interactions_of(ticket_id=new["id"]))[-1]
    assert not note["public"] and "rated ticket" in note["body_text"] and "1/5" in note["body_text"]
    actors = {e["actor_label"] for e in await audit(new["id"])}
    assert actors == {"rule: CSAT of 2 or less opens a service-recovery ticket"}
    runs = await rules.runs(rule_id=names["CSAT of 2 or less opens a service-recovery ticket"])
    assert [(r["ticket_id"], r["event"]) for r in runs] == [(unhappy, "survey.answered")]
