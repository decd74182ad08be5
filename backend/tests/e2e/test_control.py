"""Steering a live run from the project header: the run's control files change."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import eventually, loki_dir
from tests.fixtures.server import Server


class FileSightings:
    """Notes every control file that appears, however briefly (a run may consume it at once)."""

    def __init__(self, folder: Path, names: tuple[str, ...]) -> None:
        self.folder, self.names = folder, names
        self.seen: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            for name in self.names:
                path = self.folder / name
                if name not in self.seen and path.exists():
                    try:
                        self.seen[name] = path.read_text()
                    except OSError:
                        continue
            time.sleep(0.002)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def test_pause_input_and_stop_reach_the_run_files(
    page: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    Path(project["path"], "prd.md").write_text("# Shop\n")
    page.goto(f"{server.url}/projects/{project['id']}")
    header = page.get_by_role("group", name="Session controls")

    # Start from the UI: the runner command (the simulator) starts in the project folder.
    header.get_by_role("button", name="Start session").click()
    start = page.get_by_role("dialog", name="Start a session")
    # The project's Markdown files are offered; any path can still be typed.
    expect(start.locator('[data-testid="prd-candidates"] option[value="prd.md"]')).to_have_count(1)
    start.get_by_label("PRD file").fill("prd.md")
    start.get_by_role("button", name="Start").click()
    expect(page.get_by_role("alert").filter(has_text="Session started")).to_be_visible()
    expect(page.locator("h1 [data-status]")).to_have_text("running", timeout=15_000)
    # Steer the run once it has begun: like run.sh, it deletes control files it finds at its
    # start (left by an earlier run), so a PAUSE written before that would be lost.
    eventually(lambda: (loki_dir(project) / "autonomy-state.json").exists(), "the first iteration")

    sightings = FileSightings(loki_dir(project), ("PAUSE", "HUMAN_INPUT.md", "STOP"))
    try:
        header.get_by_role("button", name="Pause").click()
        expect(page.get_by_role("alert").filter(has_text="PAUSE written")).to_be_visible()
        # A run with a PRD honours PAUSE: no perpetual-mode caveat.
        expect(page.get_by_role("alert").filter(has_text="perpetual mode")).to_have_count(0)
        eventually(lambda: "PAUSE" in sightings.seen, "PAUSE to be written")
        # Like the real runner, the run works on to its next boundary: until its files say it
        # paused, the header says a pause was asked for, not that the run is paused.
        expect(page.get_by_test_id("pause-requested")).to_be_visible()
        expect(page.locator("h1 [data-status]")).to_have_text("paused", timeout=60_000)
        header.get_by_role("button", name="Resume").click()
        expect(page.get_by_role("alert").filter(has_text="carries on")).to_be_visible()
        eventually(lambda: not (loki_dir(project) / "PAUSE").exists(), "PAUSE to be removed")
        expect(page.locator("h1 [data-status]")).to_have_text("running")

        header.get_by_role("button", name="Send input").click()
        steer = page.get_by_role("dialog", name="Send input to the agent")
        steer.get_by_label("Message for the agent").fill("Use JWT for the login")
        steer.get_by_role("button", name="Send").click()
        folder = loki_dir(project)
        # The run may take the file within milliseconds: seen in place, or where it was moved.
        eventually(
            lambda: "HUMAN_INPUT.md" in sightings.seen or _taken_input(folder) is not None,
            "HUMAN_INPUT.md to be written",
        )
        assert sightings.seen.get("HUMAN_INPUT.md", _taken_input(folder)) == "Use JWT for the login"

        # Stop asks first; cancelling changes nothing.
        header.get_by_role("button", name="Stop").click()
        page.get_by_role("dialog", name="Stop this run?").get_by_role(
            "button", name="Cancel"
        ).click()
        assert "STOP" not in sightings.seen
        header.get_by_role("button", name="Stop").click()
        page.get_by_role("dialog", name="Stop this run?").get_by_role(
            "button", name="Stop the run"
        ).click()
        # Seen in place, or proven by the run having ended on it (SIGTERM alone would pause it).
        eventually(lambda: "STOP" in sightings.seen or _ended_on_stop(folder), "STOP to be written")
    finally:
        sightings.close()
    expect(page.locator("h1 [data-status]")).not_to_have_text("running", timeout=20_000)
    expect(header.get_by_role("button", name="Start session")).to_be_visible(timeout=20_000)
    actions = [entry["action"] for entry in api.get("/api/audit").json()]
    assert {"session.start", "session.pause", "session.input", "session.stop"} <= set(actions)


def _taken_input(folder: Path) -> str | None:
    """The text of human input the run accepted (moved to logs/human-input-<ts>.md)."""
    for path in (folder / "logs").glob("human-input-*.md"):
        if "REJECTED" not in path.name:
            return path.read_text()
    return None


def _ended_on_stop(folder: Path) -> bool:
    """The run consumed STOP and ended as stopped (a bare SIGTERM would have paused it): its
    signal trap saved status "stopped" (STOP with SIGTERM, as the dashboard stops), or it took
    STOP at a check and wrote "Outcome: Stopped"."""
    with contextlib.suppress(OSError, ValueError):
        if json.loads((folder / "autonomy-state.json").read_text())["status"] == "stopped":
            return True
    with contextlib.suppress(OSError):
        return "Outcome: Stopped" in (folder / "COMPLETION.txt").read_text()
    return False


@contextlib.contextmanager
def run_started_in_a_terminal(project: dict[str, Any]) -> Iterator[None]:
    """A fast perpetual-mode run started outside the dashboard, without LOKI_PROMPT_INJECTION.
    Perpetual: the project has no PRD (like the real runner, the simulator would find one)."""
    Path(project["path"], "prd.md").unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "LOKI_PROMPT_INJECTION"}
    run = subprocess.Popen(
        [sys.executable, "-m", "loki_dashboard", "simulate", "--interval", "0.5"],
        cwd=project["path"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield
    finally:
        run.kill()
        run.wait()


def test_a_run_that_refuses_human_input_says_so(
    page: Any, server: Server, project: dict[str, Any]
) -> None:
    """The run sets the input aside: the app tells the user, and the input dialog says so
    from then on."""
    with run_started_in_a_terminal(project):
        page.goto(f"{server.url}/projects/{project['id']}")
        header = page.get_by_role("group", name="Session controls")
        expect(page.locator("h1 [data-status]")).to_have_text("running", timeout=15_000)
        header.get_by_role("button", name="Send input").click()
        steer = page.get_by_role("dialog", name="Send input to the agent")
        expect(steer.get_by_role("note")).to_have_count(0)  # not known yet
        steer.get_by_label("Message for the agent").fill("Use JWT")
        steer.get_by_role("button", name="Send").click()
        expect(
            page.get_by_role("alert").filter(has_text="rejected the human input")
        ).to_be_visible()
        header.get_by_role("button", name="Send input").click()
        expect(steer.get_by_role("note")).to_contain_text("does not accept human input")
        assert list((loki_dir(project) / "logs").glob("human-input-REJECTED-*.md"))


def test_pausing_a_perpetual_run_warns_then_reports_what_the_run_did(
    page: Any, server: Server, project: dict[str, Any]
) -> None:
    with run_started_in_a_terminal(project):
        page.goto(f"{server.url}/projects/{project['id']}")
        expect(page.locator("h1 [data-status]")).to_have_text("running", timeout=15_000)
        page.get_by_role("group", name="Session controls").get_by_role(
            "button", name="Pause"
        ).click()
        expect(page.get_by_role("alert").filter(has_text="no PRD")).to_be_visible()
        # The server's own follow-up: the run deleted PAUSE and carried on (at the top of its
        # next loop pass, as the real runner does: it may be most of an iteration away).
        expect(page.get_by_role("alert").filter(has_text="deleted PAUSE")).to_be_visible(
            timeout=60_000
        )
        assert not (loki_dir(project) / "PAUSE").exists()
        expect(page.locator("h1 [data-status]")).to_have_text("running")


def test_switching_the_model_writes_the_override_and_the_picker_shows_it(
    page: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    started = api.post("/api/sessions", json={"project_id": project["id"]})
    assert started.status_code == 201, started.text
    page.goto(f"{server.url}/projects/{project['id']}")
    expect(page.locator("h1 [data-status]")).to_have_text("running", timeout=15_000)
    picker = page.get_by_label("Switch model")
    expect(picker).to_have_value("")
    picker.select_option("sonnet")
    expect(page.get_by_role("alert").filter(has_text="uses sonnet")).to_be_visible()
    override = loki_dir(project) / "state" / "model-override"
    eventually(lambda: override.exists() and override.read_text().strip() == "sonnet", "override")
    page.reload()
    expect(page.get_by_label("Switch model")).to_have_value("sonnet")
