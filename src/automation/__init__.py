"""Automation: rules that fire on the outbox's domain events and on time, acting through the
servicedesk services (never the other way round). The rule engine is not built yet; the
events it will consume (ticket.created, message.received, ticket.solved, ...) are already
written to the outbox in the transaction of each change."""
