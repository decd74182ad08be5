"""Starting a session from the project header: the PRD is filled in, and perpetual mode is
explained and must be chosen before a run without one starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import eventually
from tests.fixtures.server import Server


def open_start_dialog(page: Any, server: Server, project: dict[str, Any]) -> Any:
    page.goto(f"{server.url}/projects/{project['id']}")
    page.get_by_role("group", name="Session controls").get_by_role(
        "button", name="Start session"
    ).click()
    return page.get_by_role("dialog", name="Start a session")


def started_session(api: httpx.Client, project: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def listed() -> bool:
        found[:] = api.get("/api/sessions", params={"project_id": project["id"]}).json()["items"]
        return bool(found)

    eventually(listed, "the session to be recorded")
    return found[0]


def test_the_projects_prd_is_filled_in(
    page: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    (Path(project["path"]) / "README.md").write_text("# Shop\n")
    start = open_start_dialog(page, server, project)
    expect(start.get_by_label("PRD file")).to_have_value("prd.md")
    expect(start.get_by_role("note", name="Perpetual mode")).to_have_count(0)
    start.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Session started")).to_be_visible()
    assert started_session(api, project)["prd_path"] == "prd.md"


def test_without_a_prd_perpetual_mode_is_explained_and_must_be_chosen(
    page: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    folder = Path(project["path"])
    (folder / "prd.md").unlink()
    (folder / "README.md").write_text("# Shop\n")  # Markdown, but not a PRD
    start = open_start_dialog(page, server, project)
    expect(start.locator('[data-testid="prd-candidates"] option')).to_have_count(1)
    expect(start.get_by_label("PRD file")).to_have_value("")
    note = start.get_by_role("note", name="Perpetual mode")
    expect(note).to_contain_text("ignores Pause")
    expect(note).to_contain_text("Only Stop ends it")
    button = start.get_by_role("button", name="Start in perpetual mode")
    expect(button).to_be_disabled()
    note.get_by_label("Start without a PRD, in perpetual mode").check()
    button.click()
    expect(page.get_by_role("alert").filter(has_text="Session started")).to_be_visible()
    assert started_session(api, project)["prd_path"] is None
