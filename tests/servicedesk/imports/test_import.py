"""History import: idempotent, validate-then-write with line numbers, quiet, via CLI and API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from servicedesk.cx.reports import cx_report
from servicedesk.cx.tables import Survey, SurveyResponse, TicketMetrics
from servicedesk.imports.service import import_file
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.tickets.tables import Interaction, Ticket, TicketEvent
from tests.conftest import FIXTURES
from tests.servicedesk.cx.test_report_example import END, START, assert_matches

GOOD_TICKET = {
    "type": "ticket",
    "external_id": "t-1",
    "customer": "c-1",
    "subject": "Order 12",
    "channel": "email",
    "created_at": "2026-01-05T09:00:00Z",
    "events": [
        {
            "at": "2026-01-05T09:00:00Z",
            "kind": "message",
            "direction": "inbound",
            "channel": "email",
            "body": "hi",
        },
        {
            "at": "2026-01-05T10:00:00Z",
            "kind": "message",
            "direction": "outbound",
            "author": "alice@desk.example",
            "public": True,
            "channel": "email",
            "body": "hello",
        },
        {
            "at": "2026-01-05T10:30:00Z",
            "kind": "status",
            "status": "solved",
            "by": "alice@desk.example",
        },
    ],
}
PEOPLE = [
    {"type": "agent", "email": "alice@desk.example", "name": "Alice", "team": "Tier 1"},
    {
        "type": "customer",
        "external_id": "c-1",
        "email": "bob@mail.example",
        "name": "Bob",
        "phone": "+441632960001",
    },
]


def write_lines(path: Path, lines: list[Any]) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    )
    return path


async def counts() -> dict[str, int]:
    return {
        table.__name__: await table.count()
        for table in (Ticket, Interaction, TicketEvent, TicketMetrics, SurveyResponse)
    }


async def test_importing_the_example_twice_gives_the_same_result() -> None:
    first = await import_file(FIXTURES / "cx-small.jsonl")
    assert first.imported == {"agent": 7, "customer": 350, "ticket": 80, "nps_response": 400}
    before, report = (
        await counts(),
        await cx_report(start=START, end=END, group_by=["agent", "channel"]),
    )
    second = await import_file(FIXTURES / "cx-small.jsonl")
    assert second.imported == {} and second.unchanged == first.lines - 0 - (
        first.lines - sum(first.imported.values())
    )
    assert await counts() == before
    assert await cx_report(start=START, end=END, group_by=["agent", "channel"]) == report


async def test_import_sends_no_email_and_fires_no_events() -> None:
    await import_file(FIXTURES / "cx-small.jsonl")
    assert await OutboxMessage.count() == 0


async def test_new_events_of_a_known_ticket_are_appended(tmp_path: Path) -> None:
    await import_file(write_lines(tmp_path / "a.jsonl", [*PEOPLE, GOOD_TICKET]))
    longer = {
        **GOOD_TICKET,
        "events": [
            *GOOD_TICKET["events"],  # type: ignore[list-item]
            {
                "at": "2026-01-06T09:00:00Z",
                "kind": "message",
                "direction": "inbound",
                "channel": "phone",
                "body": "again",
            },
        ],
    }
    report = await import_file(write_lines(tmp_path / "b.jsonl", [*PEOPLE, longer]))
    assert report.imported == {"ticket": 1}
    assert await Interaction.count() == 3
    row = await Ticket.select(Ticket.status).first()
    assert row == {"status": "open"}  # the inbound message reopened it, as live traffic would


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("{not json", "malformed JSON"),
        ({**GOOD_TICKET, "external_id": "t-2", "created_at": "yesterday"}, "created_at"),
        ({**GOOD_TICKET, "external_id": "t-2", "customer": "nobody"}, "unknown customer nobody"),
        (
            {
                **GOOD_TICKET,
                "external_id": "t-2",
                "events": [
                    GOOD_TICKET["events"][0],
                    {**GOOD_TICKET["events"][2], "by": "ghost@desk.example"},
                ],
            },
            "unknown agent ghost@desk.example",
        ),  # type: ignore[index]
        (
            {**GOOD_TICKET, "external_id": "t-2", "events": list(reversed(GOOD_TICKET["events"]))},
            "out of order",
        ),  # type: ignore[arg-type]
        (
            {
                **GOOD_TICKET,
                "external_id": "t-2",
                "events": [
                    GOOD_TICKET["events"][0],
                    {"at": "2026-01-05T11:00:00Z", "kind": "status", "status": "finished"},
                ],
            },
            "status",
        ),  # type: ignore[index]
        (
            {
                **GOOD_TICKET,
                "external_id": "t-2",
                "events": [
                    GOOD_TICKET["events"][0],
                    {"at": "2026-01-05T11:00:00Z", "kind": "csat", "rating": 9},
                ],
            },
            "rating",
        ),  # type: ignore[index]
        (
            {
                **GOOD_TICKET,
                "external_id": "t-2",
                "events": [
                    GOOD_TICKET["events"][0],
                    {
                        "at": "2026-01-05T11:00:00Z",
                        "kind": "status",
                        "status": "closed",
                        "by": "alice@desk.example",
                    },
                ],
            },
            "only solved tickets can be closed",
        ),  # type: ignore[index]
        ({**GOOD_TICKET, "external_id": "t-2", "team": "Nowhere"}, "unknown team Nowhere"),
    ],
)
async def test_bad_lines_are_reported_by_number_and_nothing_is_written(
    tmp_path: Path, bad: Any, reason: str
) -> None:
    path = write_lines(tmp_path / "bad.jsonl", [*PEOPLE, GOOD_TICKET, bad])
    report = await import_file(path)
    assert [r["line"] for r in report.rejected] == [4]
    assert reason in report.rejected[0]["reason"]
    assert await Ticket.count() == 0 and await TicketMetrics.count() == 0


async def test_skip_invalid_imports_the_good_lines_and_writes_rejects(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "mixed.jsonl", [*PEOPLE, GOOD_TICKET, "{broken"])
    rejects = tmp_path / "rejects.jsonl"
    report = await import_file(path, skip_invalid=True, reject_path=rejects)
    assert report.imported == {"agent": 1, "customer": 1, "ticket": 1}
    assert rejects.read_text() == "{broken\n"


def test_cli_import_exits_non_zero_on_bad_lines(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bad.jsonl", [*PEOPLE, {"type": "ticket"}])
    result = subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", "import", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "line 3" in result.stderr and "nothing was imported" in result.stderr


def cli(*args: str) -> str:
    """Runs the `servicedesk` command; returns what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", *args], check=True, capture_output=True, text=True
    )
    return result.stdout


def test_cli_import_and_report_print_the_spec_json() -> None:
    from tests.servicedesk.cx.test_report_example import assert_matches

    cli("import", str(FIXTURES / "cx-small.jsonl"))
    period = [
        "--from",
        "2026-01-01T00:00:00Z",
        "--to",
        "2026-03-01T00:00:00Z",
        "--group-by",
        "channel",
    ]
    expected = json.loads((FIXTURES / "cx-small.report-channel.json").read_text())
    assert_matches(json.loads(cli("report", "cx", *period, "--format", "json")), expected)
    assert cli("report", "cx", *period, "--format", "csv").splitlines()[-1].startswith("TOTAL,40,")


async def test_api_import_is_admin_only_and_reports_lines(
    admin_client: Any, tmp_path: Path
) -> None:
    body = "\n".join(json.dumps(line) for line in [*PEOPLE, GOOD_TICKET, {"type": "ticket"}]) + "\n"
    refused = await admin_client.post(
        "/api/imports", content=body, headers={"content-type": "application/x-ndjson"}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "line 4"
    accepted = await admin_client.post(
        "/api/imports",
        params={"skip_invalid": "true"},
        content=body,
        headers={"content-type": "application/x-ndjson"},
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["imported"]["ticket"] == 1


async def test_import_in_two_processes_gives_the_worked_example_and_is_idempotent() -> None:
    """Tickets split by customer over two processes (PostgreSQL; SQLite imports in one)."""
    first = await import_file(FIXTURES / "cx-small.jsonl", workers=2)
    assert first.imported == {"agent": 7, "customer": 350, "ticket": 80, "nps_response": 400}
    expected = json.loads((FIXTURES / "cx-small.report-agent-channel.json").read_text())
    assert_matches(await cx_report(start=START, end=END, group_by=["agent", "channel"]), expected)
    before = await counts()
    second = await import_file(FIXTURES / "cx-small.jsonl", workers=2)
    assert second.imported == {}
    assert await counts() == before


def ces(ticket: str, at: str = "2026-01-05T11:00:00Z", score: int = 6) -> dict[str, Any]:
    return {"type": "ces_response", "customer": "c-1", "ticket": ticket, "at": at, "score": score}


async def test_ces_answers_are_linked_to_their_ticket_and_imported_once(tmp_path: Path) -> None:
    """The answer before its ticket in the file, one after it, and an NPS answer: linked in
    the batch that opens the ticket, and not imported again from the same file."""
    nps = {"type": "nps_response", "customer": "c-1", "at": "2026-01-06T09:00:00Z", "score": 9}
    lines = [*PEOPLE, ces("t-1"), GOOD_TICKET, ces("t-1", "2026-01-05T12:00:00Z", 7), nps]
    path = write_lines(tmp_path / "ces.jsonl", lines)
    first = await import_file(path)
    assert first.imported == {
        "agent": 1,
        "customer": 1,
        "ticket": 1,
        "ces_response": 2,
        "nps_response": 1,
    }
    ticket = await Ticket.select(Ticket.id).where(Ticket.external_id == "t-1").first()
    answers = await SurveyResponse.select(
        SurveyResponse.kind, SurveyResponse.ticket, SurveyResponse.score
    ).order_by(SurveyResponse.id)
    assert answers == [
        {"kind": "ces", "ticket": ticket["id"], "score": 6},
        {"kind": "ces", "ticket": ticket["id"], "score": 7},
        {"kind": "nps", "ticket": None, "score": 9},
    ]
    second = await import_file(path)
    assert second.imported == {} and await SurveyResponse.count() == 3


async def test_a_ces_answer_about_a_refused_ticket_is_refused_too(tmp_path: Path) -> None:
    events = GOOD_TICKET["events"]
    unknown_author = {**events[1], "author": "nobody@desk.example"}
    broken = {**GOOD_TICKET, "events": [events[0], unknown_author, events[2]]}
    path = write_lines(tmp_path / "ces.jsonl", [*PEOPLE, ces("t-1"), broken])
    report = await import_file(path, skip_invalid=True)
    assert [r["line"] for r in report.rejected] == [3, 4]
    assert report.rejected[0]["reason"] == "ticket t-1 is invalid (line 4)"
    assert await SurveyResponse.count() == 0


async def test_tickets_keep_their_team_and_surveys_count_in_the_response_rate(
    tmp_path: Path,
) -> None:
    """A ticket line's team (one of an agent line), and `survey` events: invitations kept as
    surveys of the solve, answered or not, so the report has a response rate."""
    answered = {
        **GOOD_TICKET,
        "team": "Tier 1",
        "events": [
            *GOOD_TICKET["events"],  # type: ignore[misc]
            {"at": "2026-01-05T10:35:00Z", "kind": "survey"},
            {"at": "2026-01-05T12:00:00Z", "kind": "csat", "rating": 5},
        ],
    }
    unanswered = {
        **answered,
        "external_id": "t-2",
        "created_at": "2026-01-20T09:00:00Z",
        "events": [
            {**event, "at": event["at"].replace("2026-01-05", "2026-01-20")}  # type: ignore[index]
            for event in answered["events"][:4]  # type: ignore[index]
        ],
    }
    path = write_lines(tmp_path / "teams.jsonl", [*PEOPLE, answered, unanswered])
    assert (await import_file(path)).rejected == []
    assert (await import_file(path)).imported.get("ticket", 0) == 0  # idempotent
    report = await cx_report(start=START, end=END, group_by=["team"])
    (row,) = report["rows"]
    assert row["team"] == "Tier 1" and row["solved"] == 2
    assert (row["csat"]["surveys_sent"], row["csat"]["responses"]) == (2, 1)
    assert row["csat"]["response_rate"] == 0.5
    surveys = await Survey.select(Survey.kind, Survey.solve_number, Survey.sent_at)
    assert [(s["kind"], s["solve_number"]) for s in surveys] == [("csat", 1), ("csat", 1)]
    assert await OutboxMessage.count() == 0  # history: no email goes out
