"""Data requests: one customer's data as JSON, and erasure (anonymisation) that keeps the
aggregate metrics: tickets, their facts, survey scores and campaign recipients stay, with
nothing left that names or reaches the person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from servicedesk.actors import Actor
from servicedesk.clock import iso
from servicedesk.cx.tables import SurveyResponse
from servicedesk.db import write_transaction
from servicedesk.marketing import service as marketing
from servicedesk.marketing.tables import CampaignRecipient
from servicedesk.outbox.tables import OutboxMessage
from servicedesk.tickets.tables import Interaction, Ticket, TicketEvent

from . import journey
from .service import get_customer
from .tables import Customer, CustomerIdentity

ERASED = "[erased]"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


async def export_customer(*, customer_id: int) -> dict[str, Any]:
    """Everything the desk holds about one customer, as JSON-ready data."""
    customer = await get_customer(customer_id=customer_id)
    tickets = list(
        await Ticket.select(
            Ticket.id, Ticket.subject, Ticket.status, Ticket.channel, Ticket.created_at
        )
        .where(Ticket.customer == customer_id)
        .order_by(Ticket.id)
    )
    messages = (
        await Interaction.select(
            Interaction.ticket,
            Interaction.direction,
            Interaction.channel,
            Interaction.public,
            Interaction.body_text,
            Interaction.created_at,
        )
        .where(Interaction.customer == customer_id)
        .order_by(Interaction.id)
    )
    for ticket in tickets:
        ticket["messages"] = [
            {k: v for k, v in m.items() if k != "ticket"}
            for m in messages
            if m["ticket"] == ticket["id"]
        ]
    surveys = (
        await SurveyResponse.select(
            SurveyResponse.kind,
            SurveyResponse.score,
            SurveyResponse.comment,
            SurveyResponse.ticket,
            SurveyResponse.created_at,
        )
        .where(SurveyResponse.customer == customer_id)
        .order_by(SurveyResponse.id)
    )
    campaign_emails = (
        await CampaignRecipient.select(
            CampaignRecipient.campaign.name.as_alias("campaign"),
            CampaignRecipient.status,
            CampaignRecipient.queued_at,
            CampaignRecipient.outbox.status.as_alias("delivery"),
        )
        .where(CampaignRecipient.customer == customer_id)
        .order_by(CampaignRecipient.id)
    )
    return _plain(
        {
            "customer": {
                key: customer[key]
                for key in (
                    "id",
                    "name",
                    "external_id",
                    "organization_name",
                    "notes",
                    "tags",
                    "created_at",
                )
            },
            "identities": customer["identities"],
            "marketing": await marketing.consent_of(customer_id=customer_id),
            "tickets": tickets,
            "survey_answers": surveys,
            "campaign_emails": campaign_emails,
            "journey": {
                "stage": customer["journey_stage"],
                "history": [
                    {k: r[k] for k in ("from_stage", "to_stage", "source", "created_at")}
                    for r in await journey.history(customer_id=customer_id, limit=10_000)
                ],
            },
        }
    )


async def erase_customer(*, customer_id: int, actor: Actor, now: datetime) -> None:
    """Anonymises a customer: name, identities, notes, tags, message and survey texts,
    ticket subjects and the addresses of mail sent to them are gone; the rows that
    reports count (tickets, facts, scores, campaign recipients) stay."""
    customer = await get_customer(customer_id=customer_id)
    addresses = [i["value"] for i in customer["identities"] if i["kind"] == "email"]
    ticket_ids = [
        row["id"] for row in await Ticket.select(Ticket.id).where(Ticket.customer == customer_id)
    ]
    async with write_transaction():
        await Customer.update(
            {
                Customer.name: f"Erased customer {customer_id}",
                Customer.external_id: None,
                Customer.organization: None,
                Customer.notes: "",
                Customer.tags: "[]",
                Customer.surveys_opt_out: True,
            }
        ).where(Customer.id == customer_id)
        await marketing.set_consent(
            customer_ids=[customer_id], consent=False, source="agent", actor=actor, now=now
        )
        await CustomerIdentity.delete().where(CustomerIdentity.customer == customer_id)
        await Interaction.update(
            {Interaction.body_text: ERASED, Interaction.body_html: None}
        ).where(Interaction.customer == customer_id)
        await SurveyResponse.update({SurveyResponse.comment: None}).where(
            SurveyResponse.customer == customer_id
        )
        if ticket_ids:
            await Ticket.update({Ticket.subject: ERASED}).where(Ticket.id.is_in(ticket_ids))
            await TicketEvent.update(
                {TicketEvent.old_value: None, TicketEvent.new_value: None}
            ).where(TicketEvent.ticket.is_in(ticket_ids), TicketEvent.field == "subject")
        if addresses:
            await OutboxMessage.update(
                {
                    OutboxMessage.to_address: "",
                    OutboxMessage.subject: ERASED,
                    OutboxMessage.body_text: "",
                }
            ).where(OutboxMessage.to_address.is_in(addresses))


__all__ = ["erase_customer", "export_customer"]
