"""The hand-written reads of customers, named (db.Sql: written once, prepared once per
connection on PostgreSQL): identifying the sender runs them on every inbound contact.
Every other read is a Piccolo query in the service; rows are written by servicedesk.writes."""

from __future__ import annotations

import functools

from servicedesk.db import Sql

CUSTOMER_BY_EXTERNAL_ID = Sql('SELECT "id" FROM "customer" WHERE "external_id" = {}')


@functools.cache
def identity_owners(count: int, look_alikes: bool = False) -> Sql:
    """The identities among `count` keys, with their customer, its merged_into, name,
    organization and typed_fields (what auto-fill needs), and the customer's first email
    (what a ticket summary shows), oldest identity first.

    `look_alikes`: one more parameter, an email's match key; the email identities with
    that key come too (a+tag@x.com for a@x.com), so a sender nobody knows as typed is
    looked up in the same round trip. The caller tells them apart by their keys."""
    where = f'ci."key" IN ({", ".join(["{}"] * count)})'
    if look_alikes:
        where += ' OR (ci."match" = {} AND ci."kind" = \'email\')'
    return Sql(
        'SELECT ci."id", ci."key", ci."customer", c."merged_into", c."name",'
        ' c."organization", c."typed_fields",'
        ' (SELECT e."value" FROM "customer_identity" AS e WHERE e."customer" = c."id"'
        ' AND e."kind" = \'email\' ORDER BY e."id" LIMIT 1) AS "email"'
        ' FROM "customer_identity" AS ci JOIN "customer" AS c ON c."id" = ci."customer"'
        f' WHERE {where} ORDER BY ci."id"'
    )


EMAIL_LOOK_ALIKE = Sql(
    'SELECT ci."id", ci."key", ci."customer", c."merged_into"'
    ' FROM "customer_identity" AS ci JOIN "customer" AS c ON c."id" = ci."customer"'
    ' WHERE ci."match" = {} AND ci."kind" = \'email\' ORDER BY ci."id" LIMIT 1'
)
