"""A customer line whose email or phone belongs to another customer (of the file or of the
desk) is refused at validation, with its line, and so are its tickets; nothing crashes
after validation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from servicedesk.customers import service as customers
from servicedesk.customers.service import ContactIdentity
from servicedesk.customers.tables import Customer, CustomerIdentity
from servicedesk.imports.service import import_file
from servicedesk.tickets.tables import Ticket
from tests.servicedesk.imports.test_import import GOOD_TICKET, PEOPLE, write_lines

# Bob (c-1, line 2) and "Robert" (c-2, line 3) give the same email, spelt differently.
ROBERT = {
    "type": "customer",
    "external_id": "c-2",
    "email": "BOB@Mail.Example",
    "name": "Robert",
}
ROBERTS_TICKET = {**GOOD_TICKET, "external_id": "t-2", "customer": "c-2"}
SAME_EMAIL = [*PEOPLE, ROBERT, GOOD_TICKET, ROBERTS_TICKET]
# Carol (c-3) gives, in another spelling, the phone of a customer the desk already knows.
CAROL = {"type": "customer", "external_id": "c-3", "phone": "+44 1632 960002", "name": "Carol"}
CAROLS_TICKET = {**GOOD_TICKET, "external_id": "t-3", "customer": "c-3"}
DESK_PHONE = [*PEOPLE, CAROL, GOOD_TICKET, CAROLS_TICKET]


def reasons(report: Any) -> dict[int, str]:
    return {r["line"]: r["reason"] for r in report.rejected}


async def desk_customer_with_phone() -> int:
    """A customer who phoned the desk before the import (no external id)."""
    return await customers.find_or_create_customer(identity=ContactIdentity(phone="+441632960002"))


async def test_an_email_given_by_two_customers_of_the_file_is_refused(tmp_path: Path) -> None:
    report = await import_file(write_lines(tmp_path / "h.jsonl", SAME_EMAIL))
    assert reasons(report) == {
        3: "email bob@mail.example already belongs to customer c-1 (line 2)",
        5: "customer c-2 is invalid (line 3)",
    }
    assert await Customer.count() == 0 and await Ticket.count() == 0


async def test_a_phone_the_desk_gives_another_customer_is_refused(tmp_path: Path) -> None:
    held_by = await desk_customer_with_phone()
    report = await import_file(write_lines(tmp_path / "h.jsonl", DESK_PHONE))
    assert reasons(report) == {
        3: f"phone +441632960002 already belongs to customer #{held_by} in the desk",
        5: "customer c-3 is invalid (line 3)",
    }
    assert await Customer.count() == 1 and await Ticket.count() == 0


async def test_skip_invalid_imports_the_rest_and_the_same_file_again_changes_nothing(
    tmp_path: Path,
) -> None:
    held_by = await desk_customer_with_phone()
    path = write_lines(tmp_path / "h.jsonl", [*SAME_EMAIL, CAROL, CAROLS_TICKET])
    rejects = tmp_path / "rejects.jsonl"
    report = await import_file(path, skip_invalid=True, reject_path=rejects)
    assert sorted(reasons(report)) == [3, 5, 6, 7]
    assert report.imported == {"agent": 1, "customer": 1, "ticket": 1}
    assert [json.loads(line)["external_id"] for line in rejects.read_text().splitlines()] == [
        "c-2",
        "t-2",
        "c-3",
        "t-3",
    ]
    bob = await Customer.select(Customer.id).where(Customer.external_id == "c-1").first()
    assert bob is not None
    assert await Ticket.select(Ticket.external_id, Ticket.customer).run() == [
        {"external_id": "t-1", "customer": bob["id"]}
    ]
    # The desk's customer kept its phone; nobody took Bob's email.
    owners = await CustomerIdentity.select(CustomerIdentity.key, CustomerIdentity.customer)
    assert {row["key"]: row["customer"] for row in owners} == {
        "phone:+441632960002": held_by,
        "email:bob@mail.example": bob["id"],
        "phone:+441632960001": bob["id"],
    }
    again = await import_file(path, skip_invalid=True, reject_path=rejects)
    assert again.imported == {} and reasons(again) == reasons(report)


async def test_a_customer_given_twice_with_the_same_identities_is_fine(tmp_path: Path) -> None:
    bob_again = {**PEOPLE[1], "email": "Bob@mail.example", "phone": "+44 1632 960001"}
    path = write_lines(tmp_path / "h.jsonl", [*PEOPLE, bob_again, GOOD_TICKET])
    first = await import_file(path)
    assert first.rejected == [] and first.imported == {"agent": 1, "customer": 1, "ticket": 1}
    second = await import_file(path)
    assert second.rejected == [] and second.imported == {} and second.unchanged == 4


async def test_an_identity_the_services_refuse_is_a_bad_line(tmp_path: Path) -> None:
    bad_phone = {**PEOPLE[1], "phone": "12"}
    report = await import_file(write_lines(tmp_path / "h.jsonl", [PEOPLE[0], bad_phone]))
    assert reasons(report) == {
        2: "phone: '12' is not a phone number in international form or a national number of GB"
    }


def test_cli_exit_status_and_reject_file(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "h.jsonl", SAME_EMAIL)
    refused = subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", "import", str(path)],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 1
    assert "line 3: email bob@mail.example already belongs to customer c-1" in refused.stderr
    rejects = tmp_path / "rejects.jsonl"
    skipped = subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", "import", str(path), "--skip-invalid"]
        + ["--reject-file", str(rejects), "--workers", "2"],
        capture_output=True,
        text=True,
    )
    assert skipped.returncode == 1, skipped.stderr
    assert json.loads(skipped.stdout)["imported"] == {"agent": 1, "customer": 1, "ticket": 1}
    assert rejects.read_text().splitlines() == [json.dumps(ROBERT), json.dumps(ROBERTS_TICKET)]


async def test_api_answers_422_naming_the_line(admin_client: Any, tmp_path: Path) -> None:
    await desk_customer_with_phone()
    body = "".join(json.dumps(line) + "\n" for line in DESK_PHONE)
    headers = {"content-type": "application/x-ndjson"}
    refused = await admin_client.post("/api/imports", content=body, headers=headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in refused.json()["errors"]] == ["line 3", "line 5"]
    assert "already belongs to customer #" in refused.json()["errors"][0]["message"]
    accepted = await admin_client.post(
        "/api/imports", params={"skip_invalid": "true"}, content=body, headers=headers
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["imported"] == {"agent": 1, "customer": 1, "ticket": 1}
