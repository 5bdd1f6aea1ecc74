"""The app serves the built web UI (`make test` builds it first): files with their type,
index.html for client routes."""

from __future__ import annotations

from typing import Any

from servicedesk.app import FRONTEND_DIST


async def test_client_routes_get_the_index_and_assets_their_type(client: Any) -> None:
    page = await client.get("/tickets/123")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    script = next(FRONTEND_DIST.glob("assets/*.js")).name
    asset = await client.get(f"/assets/{script}")
    assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]


async def test_unknown_api_paths_are_404_problems_not_the_index(client: Any) -> None:
    response = await client.get("/api/nowhere")
    assert response.status_code in (401, 404)
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_paths_cannot_escape_the_build_folder(client: Any) -> None:
    response = await client.get("/..%2F..%2Fpyproject.toml")
    assert "setuptools" not in response.text
