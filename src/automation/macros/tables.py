"""Macros: a named list of actions and an optional reply template, applied to a ticket in
one click."""

from piccolo.columns import JSON, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from servicedesk.accounts.tables import Agent


class Macro(Table):
    id: Serial
    name = Varchar(length=100)
    # The agent whose personal macro it is; none for a shared macro (made by an admin).
    owner = ForeignKey(Agent, null=True, index=True)
    actions = JSON(default="[]")  # the same action JSON as rules'
    reply = Text(default="")  # a Jinja2 template of the public reply; "" for none
    created_at = Timestamptz()
    updated_at = Timestamptz()
