"""Every main screen with a live simulated run, at desktop and phone width (saved as test
artifacts under test-artifacts/screens/); none may overflow a 375 px phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot
from tests.fixtures.server import Server

SCREENS = [
    ("overview", "", "Projects"),
    ("board", "/projects/{id}", "Pending"),
    ("agents", "/projects/{id}/agents", "Working now"),
    ("logs", "/projects/{id}/logs", "lines"),
    ("system", "/projects/{id}/system", "Phase timeline"),
    ("sessions", "/projects/{id}/sessions", "Outcome"),
    ("learnings", "/learnings", "Learnings across projects"),
    ("settings", "/settings", "API tokens"),
]


@pytest.fixture
def running_project(api: httpx.Client, tmp_path: Path) -> dict[str, Any]:
    folder = tmp_path / "storefront"
    (folder / ".loki").mkdir(parents=True)
    (folder / "prd.md").write_text("# Storefront\n")
    project: dict[str, Any] = api.post("/api/projects", json={"path": str(folder)}).json()
    started = api.post("/api/sessions", json={"project_id": project["id"], "prd_path": "prd.md"})
    assert started.status_code == 201, started.text
    api.post("/api/learnings", json={"type": "patterns", "description": "Cache the cart totals"})
    return project


@pytest.mark.parametrize(("name", "path", "landmark"), SCREENS, ids=[s[0] for s in SCREENS])
def test_screen_renders_and_fits_a_phone(
    page: Any,
    server: Server,
    running_project: dict[str, Any],
    name: str,
    path: str,
    landmark: str,
) -> None:
    page.goto(server.url + path.format(id=running_project["id"]))
    expect(page.get_by_text(landmark).filter(visible=True).first).to_be_visible()
    expect(page.locator("[data-connection]")).to_have_attribute("data-connection", "live")
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than a phone"
