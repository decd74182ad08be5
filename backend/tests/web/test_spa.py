"""The web app's files: the page for every client route, cached assets, nothing outside the
build folder, and open to a remote browser only as far as the files go (the API stays shut)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from loki_dashboard import spa
from loki_dashboard.app import create_app
from loki_dashboard.config import load_settings

TOKEN = "loki_" + "s" * 43
REMOTE = ("10.1.2.3", 50000)


@pytest.fixture
def build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A built app in a temporary folder, served in place of the package's own."""
    folder = tmp_path / "static"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><div id=root></div>")
    (folder / "assets" / "index-abc123.js").write_text("console.log(1)")
    (folder / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("not for the web")
    monkeypatch.setattr(spa, "STATIC_DIR", folder)
    return folder


@pytest.fixture
async def app(loki_home: Path, database_url: str, build: Path) -> AsyncIterator[FastAPI]:
    assert build.is_dir()
    settings = load_settings(home=str(loki_home), database_url=database_url, token=TOKEN)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def get(app: FastAPI, path: str, peer: tuple[str, int] = ("127.0.0.1", 5)) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=peer)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:57374") as c:
        return await c.get(path)


async def test_client_routes_get_the_page_and_hashed_assets_are_cached_for_good(
    app: FastAPI,
) -> None:
    for path in ("/", "/projects/abc/logs", "/settings?x=1"):
        page = await get(app, path)
        assert page.status_code == 200, path
        assert "id=root" in page.text
        assert page.headers["cache-control"] == "no-cache"
    asset = await get(app, "/assets/index-abc123.js")
    assert asset.text == "console.log(1)"
    assert asset.headers["cache-control"] == spa.IMMUTABLE
    assert (await get(app, "/favicon.svg")).headers["cache-control"] == "no-cache"


async def test_a_stale_asset_name_is_404_not_the_page(app: FastAPI) -> None:
    assert (await get(app, "/assets/index-old999.js")).status_code == 404


async def test_nothing_outside_the_build_is_served_and_odd_names_get_the_page(
    app: FastAPI,
) -> None:
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt"):
        response = await get(app, path)
        assert "not for the web" not in response.text, path
    too_long = await get(app, "/" + "a" * 5000)
    assert too_long.status_code == 200
    assert "id=root" in too_long.text


async def test_unknown_api_paths_are_the_api_404_not_the_page(app: FastAPI) -> None:
    response = await get(app, "/api/nothing-here")
    assert response.status_code == 404
    assert "id=root" not in response.text


async def test_a_remote_browser_loads_the_page_without_a_token_but_no_data(app: FastAPI) -> None:
    page = await get(app, "/projects/abc", peer=REMOTE)
    assert page.status_code == 200
    assert "id=root" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert (await get(app, "/assets/index-abc123.js", peer=REMOTE)).status_code == 200
    for path in ("/api/projects", "/api/overview", "/docs", "/openapi.json"):
        assert (await get(app, path, peer=REMOTE)).status_code == 401, path


async def test_without_a_build_the_page_says_how_to_get_one(app: FastAPI, build: Path) -> None:
    (build / "index.html").unlink()
    response = await get(app, "/")
    assert response.status_code == 503
    assert "make run" in response.text
