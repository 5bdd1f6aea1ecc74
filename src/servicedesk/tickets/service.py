"""Tickets: the services every caller uses (the API, the importer, the CLI, automation).

The rules live in the modules of this package, one per job, and this module names them
all, so callers keep one import:

- rules.py: channels, statuses, priorities; the status machine and the status an inbound
  message or a first public reply leads to (pure functions);
- contacts.py: inbound contacts (identify, thread, open or follow up), idempotency keys;
- messages.py: interactions, agents' replies and notes, reply emails;
- changes.py: status changes, assignment, team, priority, subject, tags, the audit trail;
- reads.py: one ticket, its interactions and events, filtered lists.
"""

from .changes import assign, close_solved_tickets, set_status, update_ticket
from .contacts import (
    UNIQUE_VIOLATIONS,
    Contact,
    Received,
    ThreadRef,
    add_inbound_message,
    open_ticket,
    receive_contact,
    receive_contact_answered,
    receive_contact_once,
)
from .messages import add_agent_message
from .reads import (
    TicketFilter,
    count_tickets,
    events_of,
    get_interaction,
    get_ticket,
    interactions_of,
    list_tickets,
    tags_of,
    ticket_summary_row,
)
from .rules import (
    CHANNELS,
    PRIORITIES,
    STATUSES,
    TRANSITIONS,
    WORKING,
    check_transition,
    sanitize_html,
    status_after_inbound,
    status_after_public_reply,
)

__all__ = [
    "CHANNELS",
    "PRIORITIES",
    "STATUSES",
    "TRANSITIONS",
    "UNIQUE_VIOLATIONS",
    "WORKING",
    "Contact",
    "Received",
    "ThreadRef",
    "TicketFilter",
    "add_agent_message",
    "add_inbound_message",
    "assign",
    "check_transition",
    "close_solved_tickets",
    "count_tickets",
    "events_of",
    "get_interaction",
    "get_ticket",
    "interactions_of",
    "list_tickets",
    "open_ticket",
    "receive_contact",
    "receive_contact_answered",
    "receive_contact_once",
    "sanitize_html",
    "set_status",
    "status_after_inbound",
    "status_after_public_reply",
    "tags_of",
    "ticket_summary_row",
    "update_ticket",
]
