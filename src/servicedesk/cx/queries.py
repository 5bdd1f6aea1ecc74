"""The hand-written reads of the metric facts that run on every contact, named (db.Sql:
written once, prepared once per connection on PostgreSQL). The reports' aggregates are in
cx/cohort.py and cx/reports.py; rows are written by servicedesk.writes."""

from servicedesk.db import Sql

# The customer's other tickets first solved within the window before a new contact.
SOLVED_WITHIN = Sql(
    'SELECT "ticket", "first_solved_at" FROM "ticket_metrics" WHERE "customer" = {}'
    ' AND "ticket" != {} AND "first_solved_at" >= {} AND "first_solved_at" < {}'
)
