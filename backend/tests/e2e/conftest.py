"""Browser tests: Debian's Chromium driven by Playwright against a real server and real files.

Never a downloaded browser. `make test` installs Chromium and builds the web app first; with
`CI=true` a missing browser or build fails the run instead of skipping it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from loki_dashboard.spa import STATIC_DIR
from tests.fixtures.database import IN_CI
from tests.fixtures.server import Server, running_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screens"
# A slow simulated run: it stays alive and on its first iteration while a test steers it.
SLOW_RUNNER = f"{sys.executable} -m loki_dashboard simulate {{prd}} --interval 30"

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 740}


def _missing() -> str | None:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        return "Debian's chromium is not installed (make test installs it)"
    if not (STATIC_DIR / "index.html").is_file():
        return "the web app is not built (make web)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if IN_CI:
            pytest.fail(missing)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def server(loki_home: Path) -> Iterator[Server]:
    """A real server on SQLite (the browser tests are about the UI, not the database) whose
    runner command is the protocol simulator."""
    url = f"sqlite+aiosqlite:///{loki_home / 'dashboard.db'}"
    try:
        with running_server(
            loki_home, url, LOKI_RUNNER_COMMAND=SLOW_RUNNER, LOKI_RECONCILE_SECONDS="5"
        ) as live:
            yield live
    finally:
        # Runs outlive the dashboard by design (and the simulator, like the real runner, takes
        # SIGTERM as "pause"): end the ones this test started, or they pile up for the session.
        _kill_runs_under(loki_home.parent)


def _kill_runs_under(root: Path) -> None:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:
            continue
        if b"loki_dashboard simulate" in command and cwd.is_relative_to(root):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGKILL)


@pytest.fixture
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"the page threw: {errors}"


@pytest.fixture
def project(api: httpx.Client, tmp_path: Path) -> dict[str, Any]:
    """A registered project whose `.loki/` exists (so the watcher follows it)."""
    folder = tmp_path / "shop"
    (folder / ".loki" / "queue").mkdir(parents=True)
    (folder / ".loki" / "logs").mkdir()
    (folder / "prd.md").write_text("# Shop\nSell things online.\n")  # a run's PRD
    created = api.post("/api/projects", json={"path": str(folder)})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def loki_dir(project: dict[str, Any]) -> Path:
    return Path(project["path"]) / ".loki"


def write_json(path: Path, value: Any) -> None:
    """Temp file then rename, as runs write their state."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(value))
    os.replace(temp, path)


def eventually(check: Callable[[], Any], what: str, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def screenshot(page: Any, name: str) -> None:
    """Save the screen as a test artifact, at desktop and at phone width."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(150)
    page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(size)
