"""The Kanban board against a real run folder: live changes in, tasks and moves out."""

from __future__ import annotations

import json
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import eventually, loki_dir, write_json
from tests.fixtures.server import Server


def _pending(project: dict[str, Any]) -> list[dict[str, Any]]:
    path = loki_dir(project) / "queue" / "pending.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text() or "[]")
    return list(data["tasks"] if isinstance(data, dict) else data)


def _column(page: Any, status: str) -> Any:
    return page.locator(f'[data-column="{status}"]')


def _card(page: Any, title: str) -> Any:
    return page.locator(f'[data-testid="task-card"][data-title="{title}"]')


def _board(page: Any, server: Server, project: dict[str, Any]) -> None:
    page.goto(f"{server.url}/projects/{project['id']}")
    expect(page.get_by_test_id("board")).to_be_visible()
    expect(page.locator("[data-connection]")).to_have_attribute("data-connection", "live")


def test_a_task_written_into_the_queue_shows_within_a_second(
    page: Any, server: Server, project: dict[str, Any]
) -> None:
    _board(page, server, project)
    write_json(
        loki_dir(project) / "queue" / "pending.json",
        [{"id": "run-1", "title": "Written by the run", "priority": "high"}],
    )
    expect(_column(page, "pending").locator('[data-title="Written by the run"]')).to_be_visible(
        timeout=1000
    )
    # A run's entry without a source is the run's own work: an "iteration" badge.
    expect(_card(page, "Written by the run").locator("[data-source]")).to_have_text("iteration")
    # ...and when the run moves it, the card follows.
    write_json(loki_dir(project) / "queue" / "pending.json", [])
    write_json(
        loki_dir(project) / "queue" / "in-progress.json",
        [{"id": "run-1", "title": "Written by the run", "priority": "high"}],
    )
    expect(
        _column(page, "in_progress").locator('[data-title="Written by the run"]')
    ).to_be_visible()


def test_a_task_created_in_the_modal_lands_at_the_front_of_pending_json(
    page: Any, server: Server, project: dict[str, Any]
) -> None:
    write_json(loki_dir(project) / "queue" / "pending.json", [{"id": "run-1", "title": "Old work"}])
    _board(page, server, project)
    expect(_card(page, "Old work")).to_be_visible()

    page.get_by_role("button", name="New task").click()
    dialog = page.get_by_role("dialog", name="New task")
    dialog.get_by_label("Title").fill("Add a search box")
    dialog.get_by_label("Description").fill("On every page")
    dialog.get_by_label("Priority").select_option("high")
    dialog.get_by_label("Labels (comma-separated)").fill("ui, search")
    dialog.get_by_role("button", name="Create").click()

    expect(_column(page, "pending").locator('[data-title="Add a search box"]')).to_be_visible()
    queued = eventually(lambda: _pending(project) if len(_pending(project)) == 2 else None, "file")
    assert [entry["title"] for entry in queued] == ["Add a search box", "Old work"]
    assert queued[0]["source"] == "dashboard"
    assert queued[0]["priority"] == "high"


def test_dragging_reorders_the_board_and_the_file_follows(
    page: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    for title in ("First", "Second", "Third"):
        created = api.post("/api/tasks", json={"project_id": project["id"], "title": title})
        assert created.status_code == 201
    _board(page, server, project)
    pending = _column(page, "pending")
    # Each new dashboard task goes to the front: the board reads Third, Second, First.
    expect(pending.get_by_test_id("task-card")).to_have_count(3)
    assert pending.get_by_test_id("task-card").evaluate_all(
        "cards => cards.map(c => c.dataset.title)"
    ) == ["Third", "Second", "First"]

    # Mouse: drag First above Third.
    source = _card(page, "First").bounding_box()
    target = _card(page, "Third").bounding_box()
    page.mouse.move(source["x"] + 20, source["y"] + 10)
    page.mouse.down()
    page.mouse.move(source["x"] + 20, source["y"] - 10, steps=5)
    page.mouse.move(target["x"] + 20, target["y"] + 2, steps=15)
    page.mouse.up()
    titles = "cards => cards.map(c => c.dataset.title)"
    expect(pending.get_by_test_id("task-card").first).to_have_attribute("data-title", "First")
    eventually(
        lambda: [e["title"] for e in _pending(project)] == ["First", "Third", "Second"],
        "pending.json to follow the drag",
    )

    # Keyboard: pick up Second, move it up one place, drop it.
    _card(page, "Second").focus()
    # A person's pace: dnd-kit measures the drop targets in the frame after pick-up.
    for key in ("Space", "ArrowUp", "Space"):
        page.keyboard.press(key)
        page.wait_for_timeout(150)
    expect(page.locator("[id^=DndLiveRegion]")).to_contain_text("dropped")
    eventually(
        lambda: (
            pending.get_by_test_id("task-card").evaluate_all(titles) == ["First", "Second", "Third"]
        ),
        "the board to show the keyboard move",
    )
    eventually(
        lambda: [e["title"] for e in _pending(project)] == ["First", "Second", "Third"],
        "pending.json to follow the keyboard move",
    )


def _drag(page: Any, card: Any, target: Any) -> None:
    """Mouse drag from a card to the middle of `target`, at a person's pace."""
    source, box = card.bounding_box(), target.bounding_box()
    page.mouse.move(source["x"] + 20, source["y"] + 10)
    page.mouse.down()
    page.mouse.move(source["x"] + 40, source["y"] + 10, steps=5)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=15)
    page.mouse.up()


def test_a_card_dropped_below_the_last_card_goes_to_the_end_of_that_column(
    page: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    for title in ("First", "Second", "Third"):
        assert api.post("/api/tasks", json={"project_id": project["id"], "title": title}).is_success
    _board(page, server, project)
    pending = _column(page, "pending")
    expect(pending.get_by_test_id("task-card")).to_have_count(3)
    _drag(page, _card(page, "Third"), page.locator('[data-column-end="pending"]'))
    eventually(
        lambda: [e["title"] for e in _pending(project)] == ["Second", "First", "Third"],
        "pending.json to have Third at its end",
    )
    expect(pending.get_by_test_id("task-card").last).to_have_attribute("data-title", "Third")


def test_a_move_the_server_refuses_is_put_back_with_the_reason(
    page: Any, server: Server, project: dict[str, Any]
) -> None:
    write_json(
        loki_dir(project) / "queue" / "in-progress.json", [{"id": "t1", "title": "Run owned"}]
    )
    _board(page, server, project)
    card = _column(page, "in_progress").locator('[data-title="Run owned"]')
    expect(card).to_be_visible()

    source = card.bounding_box()
    target = _column(page, "pending").bounding_box()
    page.mouse.move(source["x"] + 20, source["y"] + 10)
    page.mouse.down()
    page.mouse.move(source["x"] + 40, source["y"] + 10, steps=5)
    page.mouse.move(target["x"] + 40, target["y"] + 80, steps=15)
    page.mouse.up()

    expect(page.get_by_role("alert").filter(has_text="Move refused")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="the run moves its own tasks")).to_be_visible()
    expect(_column(page, "in_progress").locator('[data-title="Run owned"]')).to_be_visible()
    expect(_column(page, "pending").get_by_test_id("task-card")).to_have_count(0)
    assert not (loki_dir(project) / "queue" / "pending.json").exists()


def test_editing_and_deleting_a_task_in_the_modal(
    page: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    created = api.post("/api/tasks", json={"project_id": project["id"], "title": "Typo"})
    task_id = created.json()["id"]
    _board(page, server, project)
    _card(page, "Typo").dblclick()
    dialog = page.get_by_role("dialog", name="Edit task")
    dialog.get_by_label("Title").fill("Fixed title")
    dialog.get_by_role("button", name="Save").click()
    expect(_card(page, "Fixed title")).to_be_visible()
    assert api.get(f"/api/tasks/{task_id}").json()["title"] == "Fixed title"
    eventually(lambda: [e["title"] for e in _pending(project)] == ["Fixed title"], "file title")

    # From the keyboard: focus the card, press e.
    _card(page, "Fixed title").focus()
    page.keyboard.press("e")
    page.once("dialog", lambda confirm: confirm.accept())
    page.get_by_role("dialog", name="Edit task").get_by_role("button", name="Delete").click()
    expect(_card(page, "Fixed title")).to_have_count(0)
    assert api.get(f"/api/tasks/{task_id}").status_code == 404
    eventually(lambda: _pending(project) == [], "the task to leave pending.json")


def test_filters_narrow_the_board_and_live_in_the_url(
    page: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    for title, priority in (("Urgent fix", "critical"), ("Nice to have", "low")):
        api.post(
            "/api/tasks", json={"project_id": project["id"], "title": title, "priority": priority}
        )
    _board(page, server, project)
    page.get_by_role("combobox", name="Priority", exact=True).select_option("critical")
    expect(page.get_by_test_id("task-card")).to_have_count(1)
    expect(_card(page, "Urgent fix")).to_be_visible()
    assert "priority=critical" in page.url
    page.get_by_role("combobox", name="Priority", exact=True).select_option("")
    page.get_by_label("Search tasks").fill("nice")
    expect(page.get_by_test_id("task-card")).to_have_count(1)
    expect(_card(page, "Nice to have")).to_be_visible()


def test_a_long_column_draws_only_the_cards_in_view(
    page: Any, server: Server, project: dict[str, Any]
) -> None:
    tasks = [{"id": f"run-{n}", "title": f"Run task {n}"} for n in range(300)]
    write_json(loki_dir(project) / "queue" / "pending.json", tasks)
    _board(page, server, project)
    pending = _column(page, "pending")
    expect(pending.locator("[data-count]")).to_have_text("300")
    drawn = pending.get_by_test_id("task-card").count()
    assert 0 < drawn < 60, drawn
    expect(_card(page, "Run task 0")).to_be_visible()
    expect(_card(page, "Run task 299")).to_have_count(0)
    # Scrolling the column brings the last cards in.
    pending.locator("[data-column-end]").evaluate("el => el.parentElement.scrollTo(0, 1e6)")
    expect(_card(page, "Run task 299")).to_be_visible()
    assert pending.get_by_test_id("task-card").count() < 60


def test_touch_drags_only_after_a_long_press(
    browser: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    """A finger that swipes at once scrolls; one that rests first picks the card up."""
    for title in ("First", "Second", "Third"):
        assert api.post("/api/tasks", json={"project_id": project["id"], "title": title}).is_success
    context = browser.new_context(viewport={"width": 1366, "height": 900}, has_touch=True)
    try:
        page = context.new_page()
        _board(page, server, project)
        expect(_column(page, "pending").get_by_test_id("task-card")).to_have_count(3)
        page.evaluate(
            """() => { window.announced = [];
            const region = document.querySelector('[id^=DndLiveRegion]');
            new MutationObserver(() => window.announced.push(region.textContent))
              .observe(region, {childList: true, subtree: true, characterData: true}); }"""
        )
        cdp = context.new_cdp_session(page)
        card = _card(page, "Third").bounding_box()
        end = page.locator('[data-column-end="pending"]').bounding_box()
        start = {"x": card["x"] + 20, "y": card["y"] + 10}
        target = {"x": end["x"] + 20, "y": end["y"] + end["height"] / 2}

        def touch(kind: str, point: dict[str, float] | None) -> None:
            cdp.send(
                "Input.dispatchTouchEvent", {"type": kind, "touchPoints": [point] if point else []}
            )

        def glide() -> None:
            for step in range(1, 16):
                touch(
                    "touchMove",
                    {"x": start["x"], "y": start["y"] + (target["y"] - start["y"]) * step / 15},
                )

        touch("touchStart", start)  # a swipe: moves at once
        glide()
        touch("touchEnd", None)
        touch("touchStart", start)  # a long press, then the move
        page.wait_for_timeout(400)  # the finger rests past the sensor's 200 ms delay
        glide()
        touch("touchEnd", None)
        eventually(
            lambda: [e["title"] for e in _pending(project)] == ["Second", "First", "Third"],
            "pending.json to follow the touch drag",
        )
        announced = page.evaluate("window.announced")
        assert sum("Picked up" in text for text in announced) == 1, announced
    finally:
        context.close()
