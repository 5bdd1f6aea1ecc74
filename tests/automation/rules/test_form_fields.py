"""A rule reads the web form's optional fields as `ticket.form.<name>`."""

from __future__ import annotations

import httpx
import pytest

from servicedesk.tickets import service as tickets
from servicedesk.tickets.tables import Ticket

from .helpers import rule, work

POST = {
    "name": "Ann Example",
    "email": "ann@mail.example",
    "subject": "Prices",
    "message": "What does the big plan cost?",
}


async def test_a_rule_condition_sees_the_forms_optional_fields(client: httpx.AsyncClient) -> None:
    await rule(
        conditions={"all": [{"field": "ticket.form.interest", "op": "is", "value": "pricing"}]},
        actions=[{"type": "add_tags", "value": ["sales-lead"]}],
    )
    for interest in ("pricing", "support"):
        response = await client.post(
            "/api/channels/form/inbound",
            data=POST | {"interest": interest, "email": f"{interest}@mail.example"},
        )
        assert response.status_code == 202, response.text
    await work()
    pricing, support = [row["id"] for row in await Ticket.select(Ticket.id).order_by(Ticket.id)]
    assert (await tickets.get_ticket(ticket_id=pricing))["tags"] == ["sales-lead"]
    assert (await tickets.get_ticket(ticket_id=support))["tags"] == []


@pytest.mark.parametrize("name", ["ticket.form.Bad", "ticket.form.", "ticket.formx"])
async def test_a_form_field_name_must_be_an_identifier(name: str) -> None:
    from servicedesk.errors import Invalid

    with pytest.raises(Invalid) as refused:
        await rule(
            conditions={"all": [{"field": name, "op": "is", "value": "x"}]},
            actions=[{"type": "add_tags", "value": ["t"]}],
        )
    assert refused.value.field == "conditions.all[0].field"
