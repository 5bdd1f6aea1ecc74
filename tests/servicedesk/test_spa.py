"""The app serves the built web UI (`make test` builds it first): files with their type,
index.html for client routes, hashed assets cached for good and sent gzipped."""

from __future__ import annotations

from typing import Any

from servicedesk.spa import FRONTEND_DIST


def main_script() -> str:
    """The largest script of the build (the main bundle)."""
    return max(FRONTEND_DIST.glob("assets/*.js"), key=lambda p: p.stat().st_size).name


async def test_client_routes_get_the_index_and_assets_their_type(client: Any) -> None:
    page = await client.get("/tickets/123")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    asset = await client.get(f"/assets/{main_script()}")
    assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]


async def test_hashed_assets_are_cached_for_good_and_the_index_is_revalidated(
    client: Any,
) -> None:
    asset = await client.get(f"/assets/{main_script()}")
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    for path in ("/", "/inbox", "/favicon.svg"):
        assert (await client.get(path)).headers["cache-control"] == "no-cache"


async def test_text_assets_are_gzipped_for_clients_that_accept_it(client: Any) -> None:
    name = main_script()
    on_disk = (FRONTEND_DIST / "assets" / name).read_bytes()
    packed = await client.get(f"/assets/{name}", headers={"Accept-Encoding": "br, gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert int(packed.headers["content-length"]) < len(on_disk) / 2
    assert packed.content == on_disk  # httpx decodes it: the same file

    plain = await client.get(f"/assets/{name}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == on_disk


async def test_unknown_api_paths_are_404_problems_not_the_index(client: Any) -> None:
    response = await client.get("/api/nowhere")
    assert response.status_code in (401, 404)
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_paths_cannot_escape_the_build_folder(client: Any) -> None:
    response = await client.get("/..%2F..%2Fpyproject.toml")
    assert "setuptools" not in response.text


async def test_the_file_comes_from_the_path_not_a_query_parameter(client: Any) -> None:
    # Before the handler declared `path` as a path parameter, Litestar read it from the
    # query string on "/", so /?path=favicon.svg served the icon instead of the index.
    response = await client.get("/", params={"path": "favicon.svg"})
    assert response.headers["content-type"].startswith("text/html")
