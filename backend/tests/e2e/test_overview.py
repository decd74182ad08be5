"""The first screen: projects are added by path and their runs show live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.fixtures.server import Server


def test_adding_a_project_by_path_shows_its_card_and_then_its_live_run(
    page: Any, server: Server, api: httpx.Client, tmp_path: Path
) -> None:
    folder = tmp_path / "webshop"
    (folder / ".loki").mkdir(parents=True)
    (folder / "prd.md").write_text("# Webshop\n")
    page.goto(server.url)
    expect(page.get_by_text("No projects yet")).to_be_visible()

    page.get_by_label("Project folder").fill(str(folder))
    page.get_by_role("button", name="Add project").click()
    card = page.get_by_test_id("project-card").filter(has_text="webshop")
    expect(card).to_be_visible()
    expect(card.locator("[data-status]")).to_have_text("idle")

    # A run starts elsewhere (here through the API): the open page follows without a reload.
    project = api.get("/api/projects").json()[0]
    started = api.post("/api/sessions", json={"project_id": project["id"], "prd_path": "prd.md"})
    assert started.status_code == 201, started.text
    expect(card.locator("[data-status]")).to_have_text("running")
    expect(card.locator('[data-stat="phase"]')).not_to_have_text("—")


def test_a_path_that_is_not_a_folder_is_refused_with_the_servers_reason(
    page: Any, server: Server, tmp_path: Path
) -> None:
    page.goto(server.url)
    page.get_by_label("Project folder").fill(str(tmp_path / "nowhere"))
    page.get_by_role("button", name="Add project").click()
    expect(page.get_by_role("alert").filter(has_text="nowhere")).to_be_visible()
    expect(page.get_by_test_id("project-card")).to_have_count(0)


def test_needs_you_lists_tasks_waiting_for_review(
    page: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    created = api.post(
        "/api/tasks",
        json={"project_id": project["id"], "title": "Check the copy", "status": "review"},
    )
    assert created.status_code == 201
    page.goto(server.url)
    expect(page.get_by_test_id("needs-you")).to_contain_text("tasks in review")
    expect(page.get_by_test_id("needs-you")).to_contain_text(project["name"])


def test_removing_a_project_asks_first_and_leaves_its_files(
    page: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    page.goto(server.url)
    card = page.get_by_test_id("project-card").filter(has_text=project["name"])
    expect(card).to_be_visible()
    page.once("dialog", lambda confirm: confirm.dismiss())
    card.get_by_role("button", name="Remove").click()
    expect(card).to_be_visible()  # cancelled: still watched
    page.once("dialog", lambda confirm: confirm.accept())
    card.get_by_role("button", name="Remove").click()
    expect(page.get_by_test_id("project-card")).to_have_count(0)
    assert api.get("/api/projects").json() == []
    assert (Path(project["path"]) / ".loki" / "queue").is_dir()
