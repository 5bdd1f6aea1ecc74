"""The hand-written reads of tickets, named (db.Sql: written once, prepared once per
connection on PostgreSQL). They run on every inbound contact and every change of a
ticket (load_ticket, tags_of: a rule's add_tags too); the other reads of a ticket are
Piccolo queries in the service. Rows are written by servicedesk.writes."""

from servicedesk.db import Sql

TICKET_BY_ID = Sql('SELECT * FROM "ticket" WHERE "ticket"."id" = {}')
TICKET_BY_EXTERNAL_ID = Sql('SELECT * FROM "ticket" WHERE "ticket"."external_id" = {}')
TAGS_OF = Sql('SELECT "tag" FROM "ticket_tag" WHERE "ticket" = {} ORDER BY "id"')
TICKET_OF_MESSAGE = Sql(
    'SELECT "interaction"."ticket" FROM "interaction" WHERE "interaction"."message_id" = {} LIMIT 1'
)

# The customer's first email and the ticket's tags, as columns of the summary query.
CUSTOMER_EMAIL = (
    '(SELECT ci."value" FROM "customer_identity" AS ci WHERE ci."customer" = "ticket"."customer"'
    ' AND ci."kind" = \'email\' ORDER BY ci."id" LIMIT 1)'
)
TAGS_POSTGRES = (
    '(SELECT COALESCE(json_agg(tt."tag" ORDER BY tt."id"), \'[]\') FROM "ticket_tag" AS tt'
    ' WHERE tt."ticket" = "ticket"."id")'
)
# SQLite < 3.44 has no ORDER BY inside an aggregate; it aggregates an ordered subquery in
# order (an aggregate over a subquery with ORDER BY is never flattened).
TAGS_SQLITE = (
    '(SELECT json_group_array(o."tag") FROM (SELECT tt."tag" FROM "ticket_tag" AS tt'
    ' WHERE tt."ticket" = "ticket"."id" ORDER BY tt."id") AS o)'
)

# The SLA target due next and its due time (servicedesk/sla), kept with the ticket's facts.
SLA_TARGET = '(SELECT m."sla_target" FROM "ticket_metrics" AS m WHERE m."ticket" = "ticket"."id")'
SLA_DUE_AT = '(SELECT m."sla_due_at" FROM "ticket_metrics" AS m WHERE m."ticket" = "ticket"."id")'
