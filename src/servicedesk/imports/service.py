"""History import from JSON Lines: validate the whole file, then replay it through the
same ticket services as live traffic, at each event's own timestamp, quietly."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import queue
import re
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError

from servicedesk import writes
from servicedesk.accounts import service as accounts
from servicedesk.accounts.tables import Agent, Team
from servicedesk.actors import SYSTEM, Actor
from servicedesk.clock import as_utc, utcnow
from servicedesk.customers import service as customers
from servicedesk.customers.service import ContactIdentity
from servicedesk.customers.tables import Customer, CustomerIdentity
from servicedesk.cx import surveys
from servicedesk.cx.tables import SurveyResponse, TicketMetrics
from servicedesk.db import chunks, is_sqlite, write_transaction
from servicedesk.errors import DomainError
from servicedesk.marketing import service as marketing
from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import Ticket, TicketTag

from .schemas import (
    AgentLine,
    AssignEvent,
    CesLine,
    CsatEvent,
    CustomerLine,
    ImportLine,
    MessageEvent,
    NoteEvent,
    NpsLine,
    PriorityEvent,
    StatusEvent,
    SurveyEvent,
    TagsEvent,
    TicketLine,
)

LINE = TypeAdapter(ImportLine)
BATCH_LINES = 500
Progress = Callable[[int], None]


@dataclass
class ImportReport:
    lines: int = 0
    imported: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def count(self, what: str) -> None:
        self.imported[what] = self.imported.get(what, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "imported": self.imported,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


# The line's `type` key, found without parsing the line: inside JSON strings quotes are
# escaped, and no other object of the format has a "type" key (extra keys are refused).
TYPE_KEY = re.compile(r'"type"\s*:\s*"([a-z_]+)"')


def _read(
    lines: Iterator[str], types: tuple[str, ...] = ()
) -> Iterator[tuple[int, str, Any, str | None]]:
    """(line number, raw text, parsed line or None, error) for each non-blank line; with
    `types`, lines plainly of another type (already validated) come unparsed, as None."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        if types:
            found = TYPE_KEY.search(raw)
            if found and found.group(1) not in types:
                yield number, raw, None, None
                continue
        try:
            yield number, raw, LINE.validate_json(raw), None
        except ValidationError as exc:
            yield number, raw, None, _describe(exc)


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        return f"malformed JSON: {first['msg']}"
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


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
            keys = [f"{kind}:{value}" for kind, value in _identity(line).pairs()]
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


async def _teams_in_desk(names: set[str]) -> set[str]:
    if not names:
        return set()
    return {row["name"] for row in await Team.select(Team.name).where(Team.name.is_in(list(names)))}


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
        for number, _, line, error in _read(handle):
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
        for number, _, line, error in _read(handle, ("ticket", "nps_response", "ces_response")):
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


async def import_file(
    path: Path,
    *,
    skip_invalid: bool = False,
    reject_path: Path | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> ImportReport:
    """Imports a history file. Nothing is written if any line is bad, unless skip_invalid,
    in which case the good lines are imported and the bad ones copied to reject_path.

    `workers` > 1 (PostgreSQL only; SQLite has one writer) replays the tickets in that many
    processes, each taking the tickets of a share of the customers: a customer's tickets
    stay in file order in one process, and tickets of different customers never share a
    fact (repeat contacts are per customer). Ticket ids then follow the processes' progress,
    not the file order."""
    open_file: Callable[[], TextIO] = lambda: path.open(encoding="utf-8")  # noqa: E731
    lines, errors = await validate(open_file)
    report = ImportReport(
        lines=lines, rejected=[{"line": n, "reason": r} for n, r in sorted(errors.items())]
    )
    if errors and not skip_invalid:
        return report
    if errors and reject_path:
        with open_file() as handle, reject_path.open("w", encoding="utf-8") as rejects:
            for number, raw in enumerate(handle, start=1):
                if number in errors:
                    rejects.write(raw if raw.endswith("\n") else raw + "\n")
    # People first (their lines may come after the tickets that name them), then history.
    await _pass(open_file, (AgentLine, CustomerLine), errors, report, progress)
    if workers > 1 and not is_sqlite():
        await _tickets_in_processes(path, errors, report, progress, workers, lines)
    else:
        await _pass(open_file, (TicketLine,), errors, report, progress)
    # Answers last: a CES answer may name a ticket further down the file.
    await _pass(open_file, (NpsLine, CesLine), errors, report)
    return report


async def _pass(
    open_file: Callable[[], TextIO],
    wanted: tuple[type[BaseModel], ...],
    errors: Collection[int],
    report: ImportReport,
    progress: Progress | None = None,
    share: tuple[int, int] = (0, 1),
) -> None:
    """Applies the good lines of the `wanted` types in batches; with `share` (k, n) only
    the tickets of the customers that fall to process k of n."""
    types = tuple(get_args(kind.model_fields["type"].annotation)[0] for kind in wanted)
    lookups = _Lookups()
    batches = 0
    with open_file() as handle:
        batch: list[Any] = []
        for number, _, line, _error in _read(handle, types):
            if (
                number not in errors
                and isinstance(line, wanted)
                and (
                    share[1] == 1 or _share_of(getattr(line, "customer", ""), share[1]) == share[0]
                )
            ):
                batch.append(line)
            if len(batch) >= BATCH_LINES:
                await _apply_batch(batch, report, lookups)
                batch, batches = [], batches + 1
                if share[0] == 0:  # one process is enough
                    await _analyze_growing_tables(batches)
            if progress:
                progress(number)
        await _apply_batch(batch, report, lookups)
    await _analyze_growing_tables(0)


GROWING_TABLES = (Customer, CustomerIdentity, Ticket, TicketMetrics, TicketTag)


async def _analyze_growing_tables(batches: int) -> None:
    """ANALYZE the tables the import fills, after batch 1, 2, 4, 8, ... 64 and every 64th
    (0: now), on PostgreSQL. Without fresh statistics (autovacuum may be off, or behind a
    bulk load) the planner goes on scanning whole tables for the batch look-ups, and the
    import slows down as the tables grow."""
    if is_sqlite() or (batches and batches & (batches - 1) and batches % 64):
        return
    names = ", ".join(table._meta.tablename for table in GROWING_TABLES)
    await Ticket.raw(f"ANALYZE {names}")


def _share_of(customer: str, shares: int) -> int:
    return zlib.crc32(customer.encode()) % shares  # stable across processes, unlike hash()


async def _tickets_in_processes(
    path: Path,
    errors: Collection[int],
    report: ImportReport,
    progress: Progress | None,
    n: int,
    lines: int,
) -> None:
    """The ticket lines in `n` processes (see import_file), each with its own connections;
    reports each line to `progress` once every process has passed it."""
    context = multiprocessing.get_context("spawn")  # no fork of a live event loop and pool
    positions: Any = context.Array("q", n)
    results: Any = context.Queue()
    processes = [
        context.Process(target=_ticket_worker, args=(path, set(errors), k, n, positions, results))
        for k in range(n)
    ]
    for process in processes:
        process.start()
    reported = 0
    done: list[tuple[dict[str, int], int, str | None]] = []
    while len(done) < n:
        ended = not any(process.is_alive() for process in processes)
        while not results.empty() or (ended and len(done) < n):
            try:
                done.append(results.get(timeout=1))
            except queue.Empty:  # every process ended, one without a word
                done.append(({}, 0, "an import process ended without reporting"))
        if progress:
            passed = min(min(positions), lines)
            for number in range(reported + 1, passed + 1):
                progress(number)
            reported = max(reported, passed)
        await asyncio.sleep(0.1)
    for process in processes:
        process.join()
    failures = [failure for _, _, failure in done if failure]
    if failures:
        raise RuntimeError(f"import worker failed: {failures[0]}")
    for imported, unchanged, _ in done:
        for what, count in imported.items():
            report.imported[what] = report.imported.get(what, 0) + count
        report.unchanged += unchanged


def _ticket_worker(
    path: Path, errors: set[int], k: int, n: int, positions: Any, results: Any
) -> None:
    """One import process: the tickets of its share of the customers."""
    from servicedesk import db

    async def work() -> None:
        await db.start_pool()
        try:
            report = ImportReport()

            def progress(number: int) -> None:
                positions[k] = number

            await _pass(
                lambda: path.open(encoding="utf-8"), (TicketLine,), errors, report, progress, (k, n)
            )
            positions[k] = 1 << 62  # done: no longer holds the others' progress back
            results.put((report.imported, report.unchanged, None))
        finally:
            await db.close_pool()

    try:
        asyncio.run(work())
    except Exception as exc:  # reported to the parent, which fails the import
        results.put(({}, 0, f"{type(exc).__name__}: {exc}"))


@dataclass
class _Lookups:
    """What the importer itself looks up, fetched once instead of once per line or event.

    Agents are cached for the whole import (there are few, and the history pass creates
    none). Customer ids and the already-imported tickets are fetched per batch, in one
    query each, so memory stays bounded however large the file is."""

    actors: dict[str, Actor] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)  # by name, for the whole import
    customers: dict[str, int] = field(default_factory=dict)
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    # For NPS and CES lines: the answers their customers gave, as (kind, customer, time),
    # and the ids of the tickets CES answers name, by external id.
    answers: set[tuple[str, int, datetime]] = field(default_factory=set)
    named_tickets: dict[str, int] = field(default_factory=dict)

    async def prefetch(self, lines: list[Any]) -> None:
        customer_ids = list(
            {line.customer for line in lines if isinstance(line, TicketLine | NpsLine | CesLine)}
        )
        ticket_ids = [line.external_id for line in lines if isinstance(line, TicketLine)]
        await _hold_customers([line for line in lines if isinstance(line, CustomerLine)])
        self.customers = {}
        for chunk in chunks(customer_ids):
            rows = await Customer.select(Customer.id, Customer.external_id).where(
                Customer.external_id.is_in(list(chunk))
            )
            self.customers.update({row["external_id"]: int(row["id"]) for row in rows})
        self.tickets = {}
        for chunk in chunks(ticket_ids):
            rows = await Ticket.select().where(Ticket.external_id.is_in(list(chunk)))
            self.tickets.update({row["external_id"]: row for row in rows})
        await _hold_known_tickets([row for row in self.tickets.values()])
        await self._prefetch_answers(
            [line for line in lines if isinstance(line, NpsLine | CesLine)]
        )

    async def _prefetch_answers(self, lines: list[NpsLine | CesLine]) -> None:
        ids = list(
            {self.customers[line.customer] for line in lines if line.customer in self.customers}
        )
        self.answers = set()
        for chunk in chunks(ids):
            rows = await SurveyResponse.select(
                SurveyResponse.kind, SurveyResponse.customer, SurveyResponse.created_at
            ).where(
                SurveyResponse.customer.is_in(list(chunk)),
                SurveyResponse.kind.is_in(["nps", "ces"]),
            )
            self.answers.update((r["kind"], r["customer"], as_utc(r["created_at"])) for r in rows)
        named = list({line.ticket for line in lines if isinstance(line, CesLine) and line.ticket})
        self.named_tickets = {}
        for external_ids in chunks(named):
            rows = await Ticket.select(Ticket.id, Ticket.external_id).where(
                Ticket.external_id.is_in(list(external_ids))
            )
            self.named_tickets.update({row["external_id"]: int(row["id"]) for row in rows})

    async def customer_id(self, external_id: str) -> int:
        found = self.customers.get(external_id)
        if found is None:
            found = await _customer_id(external_id)
            self.customers[external_id] = found
        return found

    async def team_id(self, name: str) -> int:
        found = self.teams.get(name)
        if found is None:
            found = self.teams[name] = await accounts.get_or_create_team(name=name)
        return found

    async def actor(self, email: str | None) -> Actor:
        if not email:
            return SYSTEM
        found = self.actors.get(email)
        if found is None:
            found = await _agent_actor(email)
            self.actors[email] = found
        return found


def _identity(line: CustomerLine) -> ContactIdentity:
    return ContactIdentity(
        email=line.email,
        phone=line.phone,
        social=line.social,
        external_id=line.external_id,
        name=line.name or None,
    )


async def _hold_customers(lines: list[CustomerLine]) -> None:
    """Puts what find_or_create_customer reads for these lines (customers by external id,
    identities by key) into the unit of work, in two queries for the batch, and reserves
    the ids of the customers and identities it may create."""
    unit = writes.current()
    if not lines or unit is None:
        return
    external_ids = [line.external_id for line in lines]
    known = {
        row["external_id"]: row
        for row in await Customer.select(Customer.id, Customer.external_id).where(
            Customer.external_id.is_in(external_ids)
        )
    }
    for external_id in external_ids:
        writes.remember(customers.BY_EXTERNAL_ID, external_id, known.get(external_id))
    new = [line for line in lines if line.external_id not in known]
    keys = list({f"{kind}:{value}" for line in new for kind, value in _identity(line).pairs()})
    owners = (
        {row["key"]: row for row in await customers.identity_owners_query(keys)} if keys else {}
    )
    for key in keys:
        writes.remember(customers.BY_KEY, key, owners.get(key))
    await unit.reserve(Customer, len(new))
    await unit.reserve(CustomerIdentity, len(keys) - len(owners))


async def _hold_known_tickets(rows: list[dict[str, Any]]) -> None:
    """Puts the already-imported tickets' rows, facts and tags into the unit of work, in
    three queries for the batch, so that appending events to them reads nothing more."""
    ids = [row["id"] for row in rows]
    if not ids:
        return
    tags: dict[int, list[str]] = {ticket_id: [] for ticket_id in ids}
    for tag in (
        await TicketTag.select(TicketTag.ticket, TicketTag.tag)
        .where(TicketTag.ticket.is_in(ids))
        .order_by(TicketTag.id)
    ):
        tags[tag["ticket"]].append(tag["tag"])
    for row in rows:
        writes.remember(Ticket, row["id"], row)
        writes.remember(TicketTag, row["id"], tags[row["id"]])
    for facts in await TicketMetrics.select().where(TicketMetrics.ticket.is_in(ids)):
        writes.remember(TicketMetrics, facts["ticket"], facts)


async def _apply_batch(
    lines: list[Any], report: ImportReport, lookups: _Lookups | None = None
) -> None:
    """Writes a batch of validated lines in one transaction and one unit of work: the
    ticket services keep the rows they read for the batch and write once at its end."""
    if lines:
        lookups = lookups or _Lookups()
        async with write_transaction(), writes.unit_of_work() as unit:
            await lookups.prefetch(lines)
            # The new tickets' ids in one query, in file order (see writes.insert).
            new = [line for line in lines if isinstance(line, TicketLine)]
            await unit.reserve(
                Ticket, sum(1 for line in new if line.external_id not in lookups.tickets)
            )
            for line in lines:
                await _apply(line, report, lookups)


async def _apply(line: Any, report: ImportReport, lookups: _Lookups) -> None:
    if isinstance(line, AgentLine):
        applied = await _import_agent(line)
    elif isinstance(line, CustomerLine):
        applied = await _import_customer(line)
    elif isinstance(line, TicketLine):
        applied = await _import_ticket(line, lookups)
    else:
        applied = await _import_response(line, lookups)
    if applied:
        report.count(line.type)
    else:
        report.unchanged += 1


async def _import_agent(line: AgentLine) -> bool:
    if await accounts.find_agent_by_email(email=line.email):
        return False
    await accounts.create_agent(email=line.email, name=line.name, team=line.team)
    return True


async def _import_customer(line: CustomerLine) -> bool:
    if await writes.get(
        customers.BY_EXTERNAL_ID,
        line.external_id,
        Customer.select(Customer.id).where(Customer.external_id == line.external_id).first,
    ):
        return False
    customer_id = await customers.find_or_create_customer(identity=_identity(line))
    if line.marketing_consent is not None:
        writes.defer(_record_consents, (customer_id, line.marketing_consent))
    if line.organization:
        await writes.flush()  # update_customer reads the customer from the database
        await customers.update_customer(
            customer_id=customer_id, changes={"organization": line.organization}
        )
    return True


IMPORT_ACTOR = Actor("system", label="import")


async def _record_consents(items: set[tuple[int, bool]]) -> None:
    """The batch's consent answers, once its customers are written: a few statements for
    the lot, each answer in the consent history with source "import"."""
    now = utcnow()
    for consent in (True, False):
        ids = [customer_id for customer_id, given in items if given is consent]
        if ids:
            await marketing.set_consent(
                customer_ids=ids, consent=consent, source="import", actor=IMPORT_ACTOR, now=now
            )


async def _customer_id(external_id: str) -> int:
    row = await Customer.select(Customer.id).where(Customer.external_id == external_id).first()
    assert row, f"customer {external_id} was validated"
    return int(row["id"])


async def _agent_actor(email: str | None) -> Actor:
    if not email:
        return SYSTEM
    agent = await accounts.find_agent_by_email(email=email)
    assert agent, f"agent {email} was validated"
    return Actor.agent(agent["id"], agent["email"], agent["role"])


async def _import_ticket(line: TicketLine, lookups: _Lookups) -> bool:
    async with write_transaction():
        ticket = lookups.tickets.get(line.external_id)
        if ticket:
            ticket_id, done = ticket["id"], ticket["imported_events"]
        else:
            ticket = await tickets.open_ticket(
                customer_id=await lookups.customer_id(line.customer),
                channel=line.channel,
                subject=line.subject,
                priority=line.priority,
                external_id=line.external_id,
                # A ticket is created by its first inbound message (cx-metrics.md), even
                # where the exporting tool stamped created_at earlier.
                now=line.events[0].at,
                quiet=True,
            )
            ticket_id = int(ticket["id"])
            writes.remember(TicketTag, ticket_id, [])
            done = 0
            if line.team:
                await tickets.update_ticket(
                    ticket_id=ticket_id,
                    changes={"team_id": await lookups.team_id(line.team)},
                    actor=SYSTEM,
                    now=line.events[0].at,
                    quiet=True,
                )
            if line.tags:
                await tickets.update_ticket(
                    ticket_id=ticket_id,
                    changes={"tags": line.tags},
                    actor=SYSTEM,
                    now=line.events[0].at,
                    quiet=True,
                )
        new_events = line.events[done:]
        for event in new_events:
            await _apply_event(ticket_id, event, lookups)
        if new_events:
            await writes.update(Ticket, ticket, {"imported_events": len(line.events)})
        return bool(new_events)


async def _apply_event(ticket_id: int, event: Any, lookups: _Lookups) -> None:
    now = event.at
    if isinstance(event, MessageEvent) and event.direction == "inbound":
        await tickets.add_inbound_message(
            ticket_id=ticket_id,
            channel=event.channel,
            body=event.body,
            html=event.html,
            now=now,
            quiet=True,
        )
    elif isinstance(event, MessageEvent | NoteEvent):
        public = isinstance(event, MessageEvent) and event.public
        channel = event.channel if isinstance(event, MessageEvent) else None
        await tickets.add_agent_message(
            ticket_id=ticket_id,
            actor=await lookups.actor(event.author),
            body=event.body or "(empty)",
            public=public,
            channel=channel,
            now=now,
            quiet=True,
        )
    elif isinstance(event, AssignEvent):
        agent_id = (await lookups.actor(event.agent)).agent_id if event.agent else None
        await tickets.update_ticket(
            ticket_id=ticket_id,
            changes={"assignee_id": agent_id},
            actor=SYSTEM,
            now=now,
            quiet=True,
        )
    elif isinstance(event, StatusEvent):
        await tickets.set_status(
            ticket_id=ticket_id,
            status=event.status,
            actor=await lookups.actor(event.by),
            now=now,
            quiet=True,
        )
    elif isinstance(event, PriorityEvent):
        await tickets.update_ticket(
            ticket_id=ticket_id,
            changes={"priority": event.priority},
            actor=SYSTEM,
            now=now,
            quiet=True,
        )
    elif isinstance(event, TagsEvent):
        await tickets.update_ticket(
            ticket_id=ticket_id,
            changes={"add_tags": event.add, "remove_tags": event.remove},
            actor=SYSTEM,
            now=now,
            quiet=True,
        )
    elif isinstance(event, CsatEvent):
        await surveys.record_csat(
            ticket_id=ticket_id, rating=event.rating, comment=event.comment, now=now
        )
    elif isinstance(event, SurveyEvent):
        await surveys.record_csat_sent(ticket_id=ticket_id, now=now)


async def _import_response(line: NpsLine | CesLine, lookups: _Lookups) -> bool:
    """An NPS or CES answer, unless the customer gave one of that kind at that time (the
    answers of the batch's customers are read with the batch, and this one is added)."""
    kind = "nps" if isinstance(line, NpsLine) else "ces"
    customer_id = await lookups.customer_id(line.customer)
    answer = (kind, customer_id, as_utc(line.at))
    if answer in lookups.answers:
        return False
    lookups.answers.add(answer)
    await surveys.record_response(
        kind=kind,
        customer_id=customer_id,
        score=line.score,
        now=line.at,
        # Validation refused a CES line naming a ticket that is not in the file or desk.
        ticket_id=lookups.named_tickets[line.ticket]
        if isinstance(line, CesLine) and line.ticket
        else None,
        comment=getattr(line, "comment", None),
        anonymous=getattr(line, "anonymous", False),
    )
    return True


def dumps(report: ImportReport) -> str:
    return json.dumps(report.as_dict(), indent=1)
