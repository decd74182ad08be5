"""The System screen reads the run's own council, checklist and quality files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import eventually, loki_dir, write_json
from tests.fixtures.server import Server


def test_council_checklist_and_test_results_show_from_the_files(
    page: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    Path(project["path"], "prd.md").write_text("# Shop\n")
    started = api.post("/api/sessions", json={"project_id": project["id"], "prd_path": "prd.md"})
    assert started.status_code == 201, started.text
    folder = loki_dir(project)
    write_json(
        folder / "council" / "state.json",
        {"enabled": True, "total_votes": 3, "verdicts": [
            {"iteration": 2, "approve": 2, "reject": 1, "result": "APPROVED"}]},
    )  # fmt: skip
    write_json(
        folder / "checklist" / "verification-results.json",
        {"summary": {"total": 2, "verified": 1, "failing": 1, "pending": 0}, "categories": [
            {"name": "Checkout", "items": [{"id": "c1", "title": "Pay by card",
                                             "status": "failing"}]}]},
    )  # fmt: skip
    write_json(folder / "quality" / "test-results.json", {"passed": 41, "failed": 3})

    page.goto(f"{server.url}/projects/{project['id']}/system")
    verdicts = page.get_by_role("table", name="Council verdicts")
    expect(verdicts.get_by_role("row").nth(1)).to_contain_text("APPROVED")
    checklist = page.get_by_role("region", name="Checklist")
    expect(checklist.get_by_text("Checkout · 0/1 verified")).to_be_visible()
    checklist.get_by_text("Checkout · 0/1 verified").click()
    expect(checklist.get_by_text("Pay by card")).to_be_visible()
    expect(page.get_by_label("Test results")).to_contain_text("41")


def test_the_phase_timeline_keeps_early_phases_of_a_long_run(
    page: Any, server: Server, api: httpx.Client, project: dict[str, Any]
) -> None:
    Path(project["path"], "prd.md").write_text("# Shop\n")
    started = api.post("/api/sessions", json={"project_id": project["id"], "prd_path": "prd.md"})
    assert started.status_code == 201, started.text
    session_id = started.json()["id"]
    events = loki_dir(project) / "events.jsonl"
    eventually(lambda: events.exists(), "the run's first events")
    # Dated now: the run's events are filed under it by their own times.
    stamp = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    lines = [{"type": "phase_change", "timestamp": stamp, "data": {"from": "x", "to": "qa"}}]
    lines += [{"type": "tool_call", "timestamp": stamp, "data": {"n": n}} for n in range(1200)]
    with events.open("a") as out:
        out.write("".join(json.dumps(line) + "\n" for line in lines))
    # All of them stored for this run before the screen is read.
    eventually(
        lambda: api.get(
            "/api/logs",
            params={"session_id": session_id, "source": "events", "q": "tool_call: n=1199"},
        ).json()["items"],
        "the events to be stored",
    )
    page.goto(f"{server.url}/projects/{project['id']}/system")
    expect(page.get_by_test_id("phase-timeline")).to_contain_text("QA")
