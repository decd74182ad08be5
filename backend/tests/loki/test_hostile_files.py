"""Every reader of a run's files treats a FIFO, socket, device or link as absent, at once.

Each test plants a hostile thing where a protocol file belongs and runs the reader in a thread
that must return within seconds (a read hung on a FIFO fails the test instead of hanging it).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from loki_dashboard.loki.control_files import human_input_outcome, read_signals
from loki_dashboard.loki.files import ReadStatus, read_bytes, read_json, stamp
from loki_dashboard.loki.liveness import (
    candidate_pids,
    read_pid_file,
    run_status,
    session_json_alive,
)
from loki_dashboard.loki.memory import count_memory
from loki_dashboard.loki.metrics import read_iteration_costs, read_tracking
from loki_dashboard.loki.quality import read_quality
from loki_dashboard.loki.run_state import read_provider
from loki_dashboard.loki.safe_open import glob_files, open_file, open_folder
from loki_dashboard.loki.tail import read_new_lines
from loki_dashboard.services.git_info import GitInfo, read_git_info
from loki_dashboard.services.prd_files import prd_candidates
from loki_dashboard.watcher.imports import read_learnings
from tests.loki.hostile import KEY_BODY, KINDS, SECRET_LINE, finishes, plant, release_fifos


@pytest.fixture
def stack() -> Iterator[contextlib.ExitStack]:
    with contextlib.ExitStack() as opened:
        yield opened


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


@pytest.fixture
def loki_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "project" / ".loki"
    folder.mkdir(parents=True)
    yield folder
    release_fifos(tmp_path)


@pytest.mark.parametrize("kind", KINDS)
class TestAFileThatIsNotAFile:
    def test_json_and_byte_reads_find_nothing(
        self, loki_dir: Path, outside: Path, stack: contextlib.ExitStack, kind: str
    ) -> None:
        path = loki_dir / "autonomy-state.json"
        plant(path, kind, outside=outside, stack=stack)
        assert finishes(read_json, path).status is ReadStatus.MISSING
        assert finishes(read_bytes, path, 1024)[0] is ReadStatus.MISSING
        assert stamp(path) is None

    def test_a_tailed_log_has_no_lines(
        self, loki_dir: Path, outside: Path, stack: contextlib.ExitStack, kind: str
    ) -> None:
        path = loki_dir / "logs" / "agent.log"
        plant(path, kind, outside=outside, stack=stack)
        read = finishes(read_new_lines, path, None)
        assert (read.lines, read.more) == ([], False)

    def test_pid_files_name_no_pid(
        self, loki_dir: Path, outside: Path, stack: contextlib.ExitStack, kind: str
    ) -> None:
        for rel in ("loki.pid", "run-1.pid", "run.pid", "sessions/s1/loki.pid"):
            plant(loki_dir / rel, kind, outside=outside, stack=stack)
        plant(loki_dir / "pids" / "runner.json", kind, outside=outside, stack=stack)
        assert finishes(read_pid_file, loki_dir / "loki.pid") is None
        assert finishes(candidate_pids, loki_dir) == []
        status = finishes(run_status, loki_dir)
        assert (status.alive, status.pids) == (False, ())

    def test_session_heartbeat_and_markers_are_absent(
        self, loki_dir: Path, outside: Path, stack: contextlib.ExitStack, kind: str
    ) -> None:
        for name in ("session.json", "STOP", "COMPLETED"):
            plant(loki_dir / name, kind, outside=outside, stack=stack)
        assert finishes(session_json_alive, loki_dir, datetime.now(UTC)) is False
        assert finishes(run_status, loki_dir).status == "stopped"  # no COMPLETED marker

    def test_state_metrics_and_quality_files_are_absent(
        self, loki_dir: Path, outside: Path, stack: contextlib.ExitStack, kind: str
    ) -> None:
        for rel in (
            "state/provider",
            "context/tracking.json",
            "metrics/efficiency/iteration-1.json",
            "quality/gate-failures.txt",
            "quality/build.pass",
            "council/state.json",
            "signals/BUDGET_EXCEEDED",
            "logs/human-input-1.md",
        ):
            plant(loki_dir / rel, kind, outside=outside, stack=stack)
        assert finishes(read_provider, loki_dir) is None
        assert finishes(read_iteration_costs, loki_dir) == []
        assert finishes(read_tracking, loki_dir) is None
        assert finishes(read_quality, loki_dir) == {}
        assert finishes(read_signals, loki_dir) == []
        assert finishes(human_input_outcome, loki_dir, 0.0) is None

    def test_git_files_and_learnings_are_absent(
        self, tmp_path: Path, outside: Path, stack: contextlib.ExitStack, kind: str
    ) -> None:
        repo = tmp_path / "repo"
        plant(repo / ".git" / "HEAD", kind, outside=outside, stack=stack)
        plant(repo / ".git" / "config", kind, outside=outside, stack=stack)
        worktree = tmp_path / "worktree"
        plant(worktree / ".git", kind, outside=outside, stack=stack)
        home = tmp_path / "home" / ".loki"
        plant(home / "learnings" / "patterns.jsonl", kind, outside=outside, stack=stack)
        try:
            assert finishes(read_git_info, repo) == GitInfo(None, None)
            assert finishes(read_git_info, worktree) == GitInfo(None, None)
            assert finishes(read_learnings, home) == []
        finally:
            release_fifos(tmp_path)

    def test_prd_picker_offers_only_regular_files(
        self, tmp_path: Path, outside: Path, stack: contextlib.ExitStack, kind: str
    ) -> None:
        project = tmp_path / "project"
        plant(project / "docs" / "prd.md", kind, outside=outside, stack=stack)
        (project / "real-prd.md").write_text("# PRD\n")
        assert finishes(prd_candidates, project) == ["real-prd.md"]


class TestNoLinkLeavesTheRunFolder:
    """A folder below `.loki` that is a link is never entered, wherever it points."""

    @pytest.mark.parametrize("folder", ["logs", "state", "queue", "sessions", "metrics"])
    def test_a_linked_folder_is_not_read_through(
        self, loki_dir: Path, outside: Path, folder: str
    ) -> None:
        elsewhere = outside / "elsewhere"
        for rel in ("agent.log", "provider", "pending.json", "s1/loki.pid", "efficiency/x"):
            (elsewhere / rel).parent.mkdir(parents=True, exist_ok=True)
            (elsewhere / rel).write_text(f"{SECRET_LINE}\n")
        (loki_dir / folder).symlink_to(elsewhere)
        assert read_new_lines(loki_dir / "logs" / "agent.log", None).lines == []
        assert read_provider(loki_dir) is None
        assert read_json(loki_dir / "queue" / "pending.json").status is ReadStatus.MISSING
        assert candidate_pids(loki_dir) == []
        assert glob_files(loki_dir, f"{folder}/*") == []
        with pytest.raises(FileNotFoundError):
            os.close(open_folder(loki_dir / folder))

    def test_a_link_deeper_down_is_refused_too(self, loki_dir: Path, outside: Path) -> None:
        (outside / "deep").mkdir()
        (outside / "deep" / "loki.pid").write_text("1\n")
        (loki_dir / "sessions" / "s1").mkdir(parents=True)
        (loki_dir / "sessions" / "s1" / "inner").symlink_to(outside / "deep")
        with pytest.raises(FileNotFoundError):
            os.close(open_file(loki_dir / "sessions" / "s1" / "inner" / "loki.pid"))

    def test_regular_files_in_real_folders_still_read(self, loki_dir: Path) -> None:
        (loki_dir / "state").mkdir()
        (loki_dir / "state" / "provider").write_text("codex\n")
        (loki_dir / "sessions" / "s1").mkdir(parents=True)
        (loki_dir / "sessions" / "s1" / "loki.pid").write_text(f"{os.getpid()}\n")
        assert read_provider(loki_dir) == "codex"
        assert candidate_pids(loki_dir) == [("sessions/s1/loki.pid", os.getpid())]

    def test_a_refused_path_is_logged_once(
        self, loki_dir: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        path = loki_dir / "loki.pid"
        os.mkfifo(path)
        with caplog.at_level(logging.WARNING):
            for _ in range(5):
                assert finishes(read_pid_file, path) is None
        lines = [r.getMessage() for r in caplog.records if str(path) in r.getMessage()]
        assert len(lines) == 1
        assert "a FIFO" in lines[0]


class TestSizesAndShapes:
    def test_a_huge_pid_file_is_read_only_as_far_as_a_pid_goes(self, loki_dir: Path) -> None:
        path = loki_dir / "loki.pid"
        path.write_bytes(b"9" * (8 * 1024 * 1024))
        assert finishes(read_pid_file, path) is None  # too big for a pid: not one

    def test_a_huge_pids_json_is_skipped(self, loki_dir: Path) -> None:
        (loki_dir / "pids").mkdir()
        big = {"kind": "runner", "pid": 1, "pad": "x" * (1024 * 1024)}
        (loki_dir / "pids" / "runner.json").write_text(json.dumps(big))
        assert finishes(candidate_pids, loki_dir) == []

    def test_a_memory_folder_linked_to_the_root_is_not_walked(self, loki_dir: Path) -> None:
        (loki_dir / "memory").mkdir()
        (loki_dir / "memory" / "episodic").symlink_to("/")
        (loki_dir / "memory" / "semantic").mkdir()
        (loki_dir / "memory" / "semantic" / "a.json").write_text("{}")
        counts = finishes(count_memory, loki_dir)
        assert counts == {"episodic": 0, "semantic": 1, "procedural": 0}


def test_no_key_body_in_a_secret_read_through_any_reader(loki_dir: Path, outside: Path) -> None:
    """The private key outside the project reaches no reader through a link to it."""
    with contextlib.ExitStack() as stack:
        for rel in ("logs/agent.log", "state/provider", "autonomy-state.json", "loki.pid"):
            plant(loki_dir / rel, "secret_outside", outside=outside, stack=stack)
        seen = [
            read_new_lines(loki_dir / "logs" / "agent.log", None).lines,
            read_provider(loki_dir),
            read_bytes(loki_dir / "autonomy-state.json", 1 << 20),
            read_pid_file(loki_dir / "loki.pid"),
        ]
    text = repr(seen)
    assert SECRET_LINE not in text
    assert not any(line in text for line in KEY_BODY)
