"""Replaying the good lines of an import file through the same services as live traffic,
at each event's own timestamp, quietly, in batches (a unit of work per batch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from servicedesk import writes
from servicedesk.accounts import service as accounts
from servicedesk.actors import SYSTEM, Actor
from servicedesk.clock import as_utc, utcnow
from servicedesk.customers import journey
from servicedesk.customers import service as customers
from servicedesk.customers.tables import Customer, CustomerIdentity
from servicedesk.cx import survey_answers, surveys
from servicedesk.cx.tables import SurveyResponse, TicketMetrics
from servicedesk.db import chunks, write_transaction
from servicedesk.marketing import service as marketing
from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import Ticket, TicketTag

from .reading import ImportReport, identity_of
from .schemas import (
    AgentLine,
    AssignEvent,
    CesLine,
    CsatEvent,
    CustomerLine,
    MessageEvent,
    NoteEvent,
    NpsLine,
    PriorityEvent,
    StatusEvent,
    SurveyEvent,
    TagsEvent,
    TicketLine,
)


@dataclass
class Lookups:
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
    keys = list({key for line in new for key in identity_of(line).identity_keys()})
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


async def apply_batch(
    lines: list[Any], report: ImportReport, lookups: Lookups | None = None
) -> None:
    """Writes a batch of validated lines in one transaction and one unit of work: the
    ticket services keep the rows they read for the batch and write once at its end."""
    if lines:
        lookups = lookups or Lookups()
        async with write_transaction(), writes.unit_of_work() as unit:
            await lookups.prefetch(lines)
            # The new tickets' ids in one query, in file order (see writes.insert).
            new = [line for line in lines if isinstance(line, TicketLine)]
            await unit.reserve(
                Ticket, sum(1 for line in new if line.external_id not in lookups.tickets)
            )
            for line in lines:
                await _apply(line, report, lookups)


async def _apply(line: Any, report: ImportReport, lookups: Lookups) -> None:
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
    customer_id = await customers.find_or_create_customer(identity=identity_of(line))
    if line.marketing_consent is not None:
        writes.defer(_record_consents, (customer_id, line.marketing_consent))
    if line.journey_stage is not None:
        writes.defer(_record_stages, (customer_id, line.journey_stage))
    if line.organization:
        await writes.flush()  # update_customer reads the customer from the database
        await customers.update_customer(
            customer_id=customer_id, changes={"organization": line.organization}
        )
    return True


IMPORT_ACTOR = Actor("system", label="import")


async def _record_stages(items: set[tuple[int, str]]) -> None:
    """The batch's journey stages, once its customers are written, each in the journey
    history with source "import"."""
    now = utcnow()
    for customer_id, stage in sorted(items):
        await journey.set_stage(
            customer_id=customer_id, stage=stage, actor=IMPORT_ACTOR, source="import", now=now
        )


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


async def _import_ticket(line: TicketLine, lookups: Lookups) -> bool:
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


async def _apply_event(ticket_id: int, event: Any, lookups: Lookups) -> None:
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
        await survey_answers.record_csat(
            ticket_id=ticket_id, rating=event.rating, comment=event.comment, now=now
        )
    elif isinstance(event, SurveyEvent):
        await surveys.record_csat_sent(ticket_id=ticket_id, now=now)


async def _import_response(line: NpsLine | CesLine, lookups: Lookups) -> bool:
    """An NPS or CES answer, unless the customer gave one of that kind at that time (the
    answers of the batch's customers are read with the batch, and this one is added)."""
    kind = "nps" if isinstance(line, NpsLine) else "ces"
    customer_id = await lookups.customer_id(line.customer)
    answer = (kind, customer_id, as_utc(line.at))
    if answer in lookups.answers:
        return False
    lookups.answers.add(answer)
    await survey_answers.record_response(
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
