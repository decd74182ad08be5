"""App-wide screens and habits: shortcuts, learnings, tokens, the dark theme."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, DESKTOP
from tests.fixtures.server import Server


def test_question_mark_lists_the_shortcuts_and_g_l_opens_the_logs(
    page: Any, server: Server, project: dict[str, Any]
) -> None:
    page.goto(f"{server.url}/projects/{project['id']}")
    expect(page.get_by_test_id("board")).to_be_visible()
    page.keyboard.press("?")
    help_list = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_list).to_contain_text("board of the open project")
    expect(help_list.locator("kbd", has_text="g l")).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_list).to_have_count(0)
    page.keyboard.press("g")
    page.keyboard.press("l")
    expect(page).to_have_url(f"{server.url}/projects/{project['id']}/logs")
    expect(page.get_by_test_id("log-lines")).to_be_visible()


def test_learnings_search_narrows_the_list_and_lives_in_the_url(
    page: Any, server: Server, api: httpx.Client
) -> None:
    for kind, text in (
        ("patterns", "Cache the cart totals"),
        ("mistakes", "Forgot to migrate the orders table"),
        ("successes", "Cart checkout under 200 ms"),
    ):
        assert api.post("/api/learnings", json={"type": kind, "description": text}).is_success
    page.goto(f"{server.url}/learnings")
    expect(page.get_by_text("Forgot to migrate the orders table")).to_be_visible()
    page.get_by_label("Search learnings").fill("cart")
    expect(page.get_by_text("Cache the cart totals")).to_be_visible()
    expect(page.get_by_text("Cart checkout under 200 ms")).to_be_visible()
    expect(page.get_by_text("Forgot to migrate the orders table")).to_have_count(0)
    assert "q=cart" in page.url
    page.get_by_label("Kind").select_option("mistakes")
    expect(page.get_by_text("Cache the cart totals")).to_have_count(0)


def test_a_token_created_in_settings_is_shown_once_and_can_be_revoked(
    page: Any, server: Server, api: httpx.Client
) -> None:
    page.goto(f"{server.url}/settings")
    page.get_by_label("Name").fill("ci reader")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("new-token").inner_text()
    assert secret.startswith("loki_")
    row = page.get_by_role("row").filter(has_text="ci reader")
    expect(row).to_contain_text("read")
    (stored,) = [t for t in api.get("/api/tokens").json() if t["name"] == "ci reader"]
    assert stored["scope"] == "read"
    assert stored["revoked_at"] is None
    row.get_by_role("button", name="Revoke").click()
    expect(row).to_contain_text("revoked")
    (stored,) = [t for t in api.get("/api/tokens").json() if t["name"] == "ci reader"]
    assert stored["revoked_at"] is not None


def test_the_dark_theme_follows_the_system_setting(
    browser: Any, server: Server, project: dict[str, Any]
) -> None:
    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    try:
        page = context.new_page()
        for name, path in (("overview", ""), ("board", f"/projects/{project['id']}")):
            page.goto(server.url + path)
            expect(page.locator("[data-connection]")).to_have_attribute("data-connection", "live")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}-dark-desktop.png"), full_page=True)
            header = page.locator("header").first
            # A dark header (slate-950 at 90 %), not the light theme's white.
            color = header.evaluate("el => getComputedStyle(el).backgroundColor")
            assert color.startswith(("rgba(2, 6, 23", "oklab(0.1", "oklch(0.1")), color
    finally:
        context.close()
