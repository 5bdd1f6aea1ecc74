"""Sign-in, CSRF, roles on every endpoint, API tokens, login rate limiting."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from servicedesk.accounts import service
from servicedesk.accounts.tables import Agent
from servicedesk.actors import SYSTEM
from servicedesk.settings import get_settings
from tests.conftest import PASSWORD, app_client, make_agent


async def test_passwords_are_stored_as_argon2_hashes() -> None:
    await make_agent("alice@desk.example")
    row = await Agent.select(Agent.password_hash).where(Agent.email == "alice@desk.example").first()
    assert (
        row and row["password_hash"].startswith("$argon2") and PASSWORD not in row["password_hash"]
    )


async def test_wrong_password_is_401(client: httpx.AsyncClient) -> None:
    await make_agent("alice@desk.example")
    response = await client.post(
        "/api/auth/login", json={"email": "alice@desk.example", "password": "nope"}
    )
    assert response.status_code == 401


async def test_unauthenticated_requests_are_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/tickets")).status_code == 401


async def test_cookie_session_needs_the_csrf_header_for_changes(agent_client: Any) -> None:
    token = agent_client.headers.pop("X-CSRF-Token")
    body = {"channel": "chat", "customer": {"email": "a@b.c"}, "body": "x"}
    assert (await agent_client.post("/api/contacts", json=body)).status_code == 403
    assert (
        await agent_client.post("/api/contacts", json=body, headers={"X-CSRF-Token": "forged"})
    ).status_code == 403
    assert (
        await agent_client.post("/api/contacts", json=body, headers={"X-CSRF-Token": token})
    ).status_code == 201


async def test_logout_ends_the_session(agent_client: Any) -> None:
    assert (await agent_client.post("/api/auth/logout")).status_code == 204
    assert (await agent_client.get("/api/auth/me")).status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/agents", {"email": "x@desk.example"}),
        ("GET", "/api/tokens", None),
        ("GET", "/api/outbox", None),
        ("POST", "/api/teams", {"name": "T"}),
        ("GET", "/api/reports/cx?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", None),
    ],
)
async def test_an_agent_cannot_manage_agents_or_see_reports(
    agent_client: Any, method: str, path: str, body: Any
) -> None:
    response = await agent_client.request(method, path, json=body)
    assert response.status_code == 403, response.text


async def test_a_lead_sees_reports_but_cannot_manage_agents(lead_client: Any) -> None:
    assert (
        await lead_client.get(
            "/api/reports/cx", params={"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"}
        )
    ).status_code == 200
    assert (
        await lead_client.post("/api/agents", json={"email": "x@desk.example"})
    ).status_code == 403


async def test_admin_manages_agents_teams_and_tokens(admin_client: Any) -> None:
    team = await admin_client.post(
        "/api/teams",
        json={
            "name": "Billing",
            "schedule": {
                "timezone": "Europe/Paris",
                "hours": {"mon": [["09:00", "17:00"]]},
                "holidays": ["2026-12-25"],
            },
        },
    )
    assert team.status_code == 201, team.text
    assert team.json()["schedule"]["timezone"] == "Europe/Paris"
    bad = await admin_client.post(
        "/api/teams", json={"name": "X", "schedule": {"timezone": "Mars/Olympus"}}
    )
    assert bad.status_code == 422 and "time zone" in bad.json()["detail"]
    created = await admin_client.post(
        "/api/agents",
        json={"email": "new@desk.example", "name": "New", "role": "lead", "team": "Billing"},
    )
    assert created.status_code == 201 and created.json()["role"] == "lead"
    dup = await admin_client.post("/api/agents", json={"email": "NEW@desk.example"})
    assert dup.status_code == 409
    token = (
        await admin_client.post(
            "/api/tokens", json={"agent_id": created.json()["id"], "name": "crm"}
        )
    ).json()["token"]
    async with app_client() as integration:
        response = await integration.get(
            "/api/reports/cx",
            params={"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200
        token_id = (await admin_client.get("/api/tokens")).json()[0]["id"]
        assert (await admin_client.delete(f"/api/tokens/{token_id}")).status_code == 204
        revoked = await integration.get(
            "/api/tickets", headers={"Authorization": f"Bearer {token}"}
        )
        assert revoked.status_code == 401


async def test_a_deactivated_agents_token_is_refused_at_once_though_it_was_cached(
    client: httpx.AsyncClient,
) -> None:
    agent_id = await make_agent("crm@desk.example")
    headers = {"Authorization": f"Bearer {await service.create_api_token(agent_id=agent_id)}"}
    assert (await client.get("/api/tickets", headers=headers)).status_code == 200
    assert (await client.get("/api/tickets", headers=headers)).status_code == 200  # cached
    await service.update_agent(agent_id=agent_id, changes={"active": False}, actor=SYSTEM)
    assert (await client.get("/api/tickets", headers=headers)).status_code == 401


async def test_bearer_token_needs_no_csrf(client: httpx.AsyncClient) -> None:
    agent_id = await make_agent("bot@desk.example")
    token = await service.create_api_token(agent_id=agent_id)
    response = await client.post(
        "/api/contacts",
        json={"channel": "api", "customer": {"external_id": "crm-1"}, "body": "hi"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text


async def test_login_is_rate_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    from servicedesk.settings import get_settings

    monkeypatch.setenv("LOGIN_ATTEMPTS_PER_MINUTE", "3")
    get_settings.cache_clear()
    async with app_client() as fresh:
        codes = [
            (
                await fresh.post(
                    "/api/auth/login", json={"email": "x@desk.example", "password": "y"}
                )
            ).status_code
            for _ in range(5)
        ]
        assert (await fresh.get("/api/tickets")).status_code == 401  # other paths are not throttled
    assert codes == [401, 401, 401, 429, 429]


async def test_the_hash_cost_comes_from_the_settings_and_old_hashes_still_verify(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await make_agent("cost@desk.example")
    monkeypatch.setenv("PASSWORD_HASH_TIME_COST", "2")
    monkeypatch.setenv("PASSWORD_HASH_MEMORY_KIB", "2048")
    get_settings.cache_clear()
    await make_agent("newer@desk.example")
    rows = {
        row["email"]: row["password_hash"]
        for row in await Agent.select(Agent.email, Agent.password_hash)
    }
    assert "$m=1024,t=1," in rows["cost@desk.example"]  # the suite's own cost
    assert "$m=2048,t=2," in rows["newer@desk.example"]
    for email in ("cost@desk.example", "newer@desk.example"):
        assert await service.authenticate(email=email, password=PASSWORD) is not None
        assert await service.authenticate(email=email, password="wrong") is None


def test_a_hash_memory_argon2_refuses_is_refused_by_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Below 32 KiB (8 per lane, 4 lanes) Argon2 fails at the first sign-in: the settings
    refuse it at start instead, naming the setting."""
    monkeypatch.setenv("PASSWORD_HASH_MEMORY_KIB", "16")
    get_settings.cache_clear()
    with pytest.raises(ValidationError, match="password_hash_memory_kib"):
        get_settings()
    monkeypatch.setenv("PASSWORD_HASH_MEMORY_KIB", "32")
    get_settings.cache_clear()
    assert get_settings().password_hash_memory_kib == 32
