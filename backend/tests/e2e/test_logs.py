"""The terminal view: lines stream in from the run's log file, and filter and search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import loki_dir
from tests.fixtures.server import Server


def _append(project: dict[str, Any], *lines: str) -> None:
    with (loki_dir(project) / "logs" / "agent.log").open("a") as log:
        log.write("".join(f"{line}\n" for line in lines))


def test_logs_stream_live_and_filter_by_level_and_text(
    page: Any, server: Server, project: dict[str, Any]
) -> None:
    _append(project, "[INFO] warming up")
    page.goto(f"{server.url}/projects/{project['id']}/logs")
    view = page.get_by_test_id("log-lines")
    expect(view).to_contain_text("warming up")
    expect(page.get_by_test_id("log-state")).to_contain_text("live")

    _append(
        project,
        "[INFO] building the cart",
        "\x1b[31m[ERROR] payment service unreachable\x1b[0m",
        "[WARN] retrying with backoff",
        "api_key=sk-ant-REALLYSECRET0123456789abcdefghijkl",
    )
    expect(view).to_contain_text("payment service unreachable")
    expect(view).to_contain_text("retrying with backoff")
    # Colours are rendered, not printed; secrets never reach the screen.
    expect(view).not_to_contain_text("[31m")
    red = view.get_by_text("payment service unreachable")
    assert red.evaluate("el => getComputedStyle(el).color") == "rgb(239, 68, 68)"
    expect(view).not_to_contain_text("REALLYSECRET")

    page.get_by_label("Minimum level").select_option("error")
    expect(view).to_contain_text("payment service unreachable")
    expect(view).not_to_contain_text("building the cart")
    expect(view).not_to_contain_text("retrying with backoff")

    page.get_by_label("Minimum level").select_option("")
    page.get_by_label("Search the log").fill("ing")
    expect(page.get_by_test_id("search-hits")).to_have_text("1 / 3")
    page.get_by_role("button", name="Next match").click()
    expect(page.get_by_test_id("search-hits")).to_have_text("2 / 3")
    page.get_by_role("button", name="Previous match").click()
    page.get_by_role("button", name="Previous match").click()
    expect(page.get_by_test_id("search-hits")).to_have_text("3 / 3")


def test_download_gives_the_whole_log_from_the_server(
    page: Any, server: Server, project: dict[str, Any]
) -> None:
    _append(project, *(f"[INFO] line {n}" for n in range(1, 2501)))
    page.goto(f"{server.url}/projects/{project['id']}/logs")
    expect(page.get_by_test_id("log-lines")).to_contain_text("line 2500")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    text = Path(download.value.path()).read_text()
    lines = [line for line in text.splitlines() if "line " in line]
    assert len(lines) == 2500
    assert lines[0].endswith("line 1")
    assert lines[-1].endswith("line 2500")


def test_the_source_filter_shows_one_log_file(
    page: Any, server: Server, project: dict[str, Any]
) -> None:
    _append(project, "[INFO] from the agent")
    with (loki_dir(project) / "logs" / "build.log").open("a") as log:
        log.write("[INFO] from the build\n")
    page.goto(f"{server.url}/projects/{project['id']}/logs")
    view = page.get_by_test_id("log-lines")
    expect(view).to_contain_text("from the agent")
    expect(view).to_contain_text("from the build")
    page.get_by_label("Log source").select_option("build.log")
    expect(view).to_contain_text("from the build")
    expect(view).not_to_contain_text("from the agent")


def _at_bottom(page: Any) -> bool:
    return bool(
        page.get_by_test_id("log-lines").evaluate(
            "el => el.scrollHeight - el.scrollTop - el.clientHeight < 40"
        )
    )


def test_scrolling_up_pauses_the_tail_until_jump_to_live(
    page: Any, server: Server, project: dict[str, Any]
) -> None:
    _append(project, *(f"[INFO] early line {n}" for n in range(1, 401)))
    page.goto(f"{server.url}/projects/{project['id']}/logs")
    view = page.get_by_test_id("log-lines")
    expect(view).to_contain_text("early line 400")
    assert _at_bottom(page)
    jump = page.get_by_role("button", name="Jump to live")
    expect(jump).to_have_count(0)

    view.hover()
    page.mouse.wheel(0, -2000)
    expect(jump).to_be_visible()
    top = view.evaluate("el => el.scrollTop")
    _append(project, "[INFO] arrived while reading")
    expect(page.get_by_test_id("log-state")).to_contain_text("401 lines")
    # The reader stays where they were while lines arrive.
    assert view.evaluate("el => el.scrollTop") == top
    expect(view).not_to_contain_text("arrived while reading")

    jump.click()
    expect(view).to_contain_text("arrived while reading")
    expect(jump).to_have_count(0)
    assert _at_bottom(page)
    _append(project, "[INFO] and the tail follows again")
    expect(view).to_contain_text("and the tail follows again")

    # Dragging the scrollbar moves the view with no wheel, key or touch event: it pauses too.
    view.evaluate("el => { el.scrollTop = el.scrollTop - 1500 }")
    expect(jump).to_be_visible()
    top = view.evaluate("el => el.scrollTop")
    _append(project, "[INFO] after the scrollbar drag")
    expect(page.get_by_test_id("log-state")).to_contain_text("403 lines")
    assert view.evaluate("el => el.scrollTop") == top
