"""Customer profile auto-fill on contacts: company from the email domain (not free mail),
name from the display name, phones in E.164; never over what an agent typed."""

from __future__ import annotations

from typing import Any

import pytest

from servicedesk.customers import autofill


async def contact(client: Any, **customer: str) -> dict[str, Any]:
    response = await client.post(
        "/api/contacts", json={"channel": "email", "customer": customer, "body": "hello"}
    )
    assert response.status_code == 201, response.text
    customer_id = response.json()["ticket"]["customer"]["id"]
    return dict((await client.get(f"/api/customers/{customer_id}")).json())


@pytest.mark.parametrize(
    ("address", "company"),
    [
        ("ann@acme.com", "Acme"),
        ("ann@mail.acme.co.uk", "Acme"),
        ("ann@blue-sky.io", "Blue Sky"),
        ("ann@gmail.com", None),
        ("ann@yahoo.co.uk", None),
        ("ann@hotmail.fr", None),
        ("ann@gmx.net", None),
        ("ann@web.de", None),
        ("ann@proton.me", None),
        ("ann@acme.example", None),  # reserved for documentation
        ("not an address", None),
    ],
)
def test_company_of_an_address(address: str, company: str | None) -> None:
    assert autofill.company_of(address) == company


async def test_a_new_customer_gets_the_company_of_their_domain(agent_client: Any) -> None:
    ann = await contact(agent_client, email="ann@acme.com", name="Ann Smith")
    assert (ann["name"], ann["organization"]) == ("Ann Smith", "Acme")
    # A colleague joins the same organization.
    bea = await contact(agent_client, email="bea@acme.com")
    assert (bea["name"], bea["organization"]) == ("bea", "Acme")


async def test_free_mail_gives_no_company(agent_client: Any) -> None:
    cid = await contact(agent_client, email="cid@gmail.com", name="Cid")
    assert cid["organization"] is None


async def test_a_later_display_name_replaces_the_placeholder(agent_client: Any) -> None:
    first = await contact(agent_client, email="dora@gmail.com")
    assert first["name"] == "dora"
    later = await contact(agent_client, email="dora@gmail.com", name="Dora Diaz")
    assert later["name"] == "Dora Diaz"
    # A real name is not replaced by another display name.
    again = await contact(agent_client, email="dora@gmail.com", name="D. Diaz")
    assert again["name"] == "Dora Diaz"


async def test_what_an_agent_typed_is_kept(agent_client: Any) -> None:
    customer = await contact(agent_client, email="eve@gmail.com")
    patched = await agent_client.patch(
        f"/api/customers/{customer['id']}", json={"name": "eve", "organization": None}
    )
    assert patched.status_code == 200
    assert sorted(patched.json()["typed_fields"]) == ["name", "organization"]
    await contact(agent_client, email="eve@gmail.com", name="Eve Evans")
    kept = (await agent_client.get(f"/api/customers/{customer['id']}")).json()
    assert kept["name"] == "eve"


async def test_a_cleared_company_is_not_filled_again(agent_client: Any) -> None:
    customer = await contact(agent_client, email="fay@globex.com", name="Fay")
    assert customer["organization"] == "Globex"
    await agent_client.patch(f"/api/customers/{customer['id']}", json={"organization": None})
    again = await contact(agent_client, email="fay@globex.com", name="Fay")
    assert again["organization"] is None


async def test_a_known_customer_without_company_gets_it(agent_client: Any) -> None:
    """An email customer found by their phone: the company is filled once it is known."""
    first = await contact(agent_client, phone="+44 1632 960123", name="Gil")
    assert first["phone"] == "+441632960123"  # E.164
    assert first["organization"] is None
    later = await contact(agent_client, phone="+441632960123", email="gil@initech.com")
    assert later["organization"] == "Initech"


def test_nothing_to_fill_on_a_complete_profile() -> None:
    """The identification query tells all: no write (and no round trip) when nothing is
    to fill."""
    row = {"name": "Ann Smith", "organization": 3, "typed_fields": "[]"}
    fill = autofill.fill_for(
        row=row, email="ann@acme.com", display_name="Ann Smith", address="ann@acme.com"
    )
    assert not fill
    batch_row = {"name": "ann", "organization": None}  # the importer's identity map
    assert not autofill.fill_for(
        row=batch_row, email="ann@acme.com", display_name="Ann", address="ann@acme.com"
    )
