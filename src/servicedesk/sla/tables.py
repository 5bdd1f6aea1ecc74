"""SLA policies. A ticket's SLA clock and due times are facts in cx (ticket_metrics)."""

from piccolo.columns import JSON, Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from servicedesk.accounts.tables import Team


class SlaPolicy(Table):
    """Targets in minutes per priority: {"urgent": {"first_response": 30, "next_reply": 60,
    "resolution": 480}, ...}, for the tickets of a channel and/or team (None: any)."""

    id: Serial
    name = Varchar(length=100, unique=True)
    channel = Varchar(length=10, null=True, default=None)
    team = ForeignKey(Team, null=True, on_delete=OnDelete.restrict)
    business_hours = Boolean(default=False)
    active = Boolean(default=True)
    targets = JSON(default="{}")
    created_at = Timestamptz()
    updated_at = Timestamptz()
