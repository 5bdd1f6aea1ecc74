"""Validating a whole import file before anything is written: every line parses, every
reference resolves, no identity is claimed by two customers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from servicedesk.accounts import service as accounts
from servicedesk.accounts.tables import Agent, Team
from servicedesk.customers import service as customers
from servicedesk.customers.tables import Customer
from servicedesk.db import chunks
from servicedesk.errors import DomainError
from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import Ticket

from .reading import identity_of, read_lines
from .schemas import (
    AgentLine,
    AssignEvent,
    CesLine,
    CustomerLine,
    MessageEvent,
    NpsLine,
    StatusEvent,
    TicketLine,
)


@dataclass
class _Known:
    agents: set[str] = field(default_factory=set)
    customers: set[str] = field(default_factory=set)
    tickets: set[str] = field(default_factory=set)
    teams: set[str] = field(default_factory=set)


def _shown(key: str) -> str:
    return key.replace(":", " ", 1)  # "email:ann@x.example" -> "email ann@x.example"


@dataclass
class _Identities:
    """The identities the file's customer lines claim, checked as a help desk checks a new
    user: an email, phone or handle belongs to one customer. Without this check the
    customer service would silently merge a second claimant into the first, its external
    id would never be stored, and its tickets would fail after validation.

    Memory: one entry per distinct identity of the file (normalised key -> external id and
    line of its first claim), plus a count per customer."""

    claims: dict[str, tuple[str, int]] = field(default_factory=dict)
    valid_lines: dict[str, int] = field(default_factory=dict)  # external id -> good lines
    rejected: dict[str, int] = field(default_factory=dict)  # external id -> a bad line

    def check(self, number: int, line: CustomerLine) -> str | None:
        """Why this customer line is refused (None: it is fine); a fine line's identities
        are claimed for its customer. The same customer may appear again (re-export)."""
        external_id = line.external_id
        self.valid_lines.setdefault(external_id, 0)
        try:
            keys = identity_of(line).identity_keys()
        except DomainError as exc:  # the customer service's own normalisation refused it
            return self.refuse(external_id, number, f"{exc.field}: {exc.detail}")
        for key in keys:
            owner = self.claims.get(key)
            if owner and owner[0] != external_id:
                return self.refuse(
                    external_id,
                    number,
                    f"{_shown(key)} already belongs to customer {owner[0]} (line {owner[1]})",
                )
        for key in keys:
            self.claims.setdefault(key, (external_id, number))
        self.valid_lines[external_id] += 1
        return None

    def refuse(self, external_id: str, number: int, reason: str) -> str:
        self.rejected.setdefault(external_id, number)
        return reason

    async def held_in_desk(self, in_desk: set[str]) -> dict[int, str]:
        """{line: reason} for the lines of customers new to the desk that claim an identity
        the desk gives another customer; batched look-ups, 500 keys a query."""
        keys = [key for key, (external_id, _) in self.claims.items() if external_id not in in_desk]
        errors: dict[int, str] = {}
        for chunk in chunks(keys):
            holders = await customers.identity_holders(list(chunk))
            for key, customer_id in holders.items():
                external_id, number = self.claims[key]
                if number not in errors:
                    self.valid_lines[external_id] -= 1
                    errors[number] = self.refuse(
                        external_id,
                        number,
                        f"{_shown(key)} already belongs to customer #{customer_id} in the desk",
                    )
        return errors

    def invalid(self, in_desk: set[str]) -> dict[str, int]:
        """The customers no line of which is valid (and not already in the desk): their
        tickets and survey answers cannot be imported. External id -> a rejected line."""
        return {
            external_id: number
            for external_id, number in self.rejected.items()
            if not self.valid_lines[external_id] and external_id not in in_desk
        }


async def _teams_in_desk(names: set[str]) -> set[str]:
    if not names:
        return set()
    return {row["name"] for row in await Team.select(Team.name).where(Team.name.is_in(list(names)))}


async def _known_in_db(emails: set[str], customer_ids: set[str]) -> tuple[set[str], set[str]]:
    agents = (
        {
            row["email"]
            for row in await Agent.select(Agent.email).where(Agent.email.is_in(list(emails)))
        }
        if emails
        else set()
    )
    found: set[str] = set()
    ids = list(customer_ids)
    for chunk in chunks(ids):
        rows = await Customer.select(Customer.external_id).where(
            Customer.external_id.is_in(list(chunk))
        )
        found |= {row["external_id"] for row in rows}
    return agents, found


def _ticket_problem(line: TicketLine, agents: set[str]) -> str | None:
    """Replays the status machine over a ticket's events, with the service's own rules."""
    status, assignee = "new", None
    for index, event in enumerate(line.events):
        where = f"events[{index}]"
        for email in _agents_named(event):
            if email not in agents:
                return f"{where}: unknown agent {email}"
        if status == "closed":
            return f"{where}: the ticket is already closed; later contact belongs in a new ticket"
        if isinstance(event, MessageEvent):
            nxt = (
                tickets.status_after_inbound(status)
                if event.direction == "inbound"
                else tickets.status_after_public_reply(status)
                if event.public
                else None
            )
            status = nxt or status
        elif isinstance(event, AssignEvent):
            assignee = event.agent
        elif isinstance(event, StatusEvent) and event.status != status:
            try:
                tickets.check_transition(status, event.status)
            except DomainError as exc:
                return f"{where}: {exc.detail}"
            if event.status == "solved" and assignee is None and event.by is None:
                return f"{where}: an unassigned ticket is solved by nobody (give `by`)"
            if event.status == "solved" and assignee is None:
                assignee = event.by
            status = event.status
    return None


# Which fields of an event name an agent (asking Pydantic for a missing one is slow).
AGENT_FIELDS = {
    "message": ("author",),
    "note": ("author",),
    "assign": ("agent",),
    "status": ("by",),
}


def _agents_named(event: Any) -> list[str]:
    names = [getattr(event, attr) for attr in AGENT_FIELDS.get(event.kind, ())]
    return [accounts.normalize_email(name) for name in names if isinstance(name, str)]


async def validate(open_file: Callable[[], TextIO]) -> tuple[int, dict[int, str]]:
    """Checks the whole file; returns (line count, {line number: reason}) without writing."""
    known, refs, identities, errors = _Known(), _Known(), _Identities(), {}
    lines = 0
    with open_file() as handle:
        for number, _, line, error in read_lines(handle):
            lines = number
            if error:
                errors[number] = error
            elif isinstance(line, AgentLine):
                known.agents.add(accounts.normalize_email(line.email))
                if line.team:
                    known.teams.add(line.team)
            elif isinstance(line, CustomerLine):
                known.customers.add(line.external_id)
                if problem := identities.check(number, line):
                    errors[number] = problem
            elif isinstance(line, TicketLine):
                if line.external_id in known.tickets:
                    errors[number] = f"ticket {line.external_id} appears twice in the file"
                known.tickets.add(line.external_id)
                refs.customers.add(line.customer)
                if line.team:
                    refs.teams.add(line.team)
                for event in line.events:
                    refs.agents.update(_agents_named(event))
            elif isinstance(line, NpsLine | CesLine):
                refs.customers.add(line.customer)
    db_agents, db_customers = await _known_in_db(
        refs.agents - known.agents, refs.customers | known.customers
    )
    # A file customer already in the desk is left as it is (the import is idempotent), so
    # only the new ones can clash with the desk's identities.
    errors.update(await identities.held_in_desk(db_customers & known.customers))
    invalid = identities.invalid(db_customers)
    agents, customer_ids = known.agents | db_agents, known.customers | db_customers
    teams = known.teams | await _teams_in_desk(refs.teams - known.teams)
    # Ticket lines refused, by external id -> line: a CES answer about one of them is
    # refused too (checked after the pass: the answer may come before the ticket).
    refused: dict[str, int] = {}
    rated: list[tuple[int, str]] = []
    with open_file() as handle:
        # People lines were checked in the first pass and are not parsed again.
        for number, _, line, error in read_lines(
            handle, ("ticket", "nps_response", "ces_response")
        ):
            if error or number in errors:
                continue
            problem = None
            if isinstance(line, TicketLine | NpsLine | CesLine) and line.customer in invalid:
                problem = f"customer {line.customer} is invalid (line {invalid[line.customer]})"
            elif (
                isinstance(line, TicketLine | NpsLine | CesLine)
                and line.customer not in customer_ids
            ):
                problem = f"unknown customer {line.customer}"
            elif isinstance(line, TicketLine) and line.team and line.team not in teams:
                problem = f"unknown team {line.team}"
            elif isinstance(line, TicketLine):
                problem = _ticket_problem(line, agents)
            elif isinstance(line, CesLine) and line.ticket:
                rated.append((number, line.ticket))
            if problem:
                errors[number] = problem
                if isinstance(line, TicketLine):
                    refused[line.external_id] = number
    for number, ticket in rated:
        if ticket in refused:
            errors[number] = f"ticket {ticket} is invalid (line {refused[ticket]})"
        elif ticket not in known.tickets and not await Ticket.exists().where(
            Ticket.external_id == ticket
        ):
            errors[number] = f"unknown ticket {ticket}"
    return lines, errors
