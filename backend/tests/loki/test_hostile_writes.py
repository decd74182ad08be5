"""Control and queue writes go into the project's own real folders, or nowhere.

A run can turn `.loki`, `queue/` or `state/` into a link (to /etc, to another project's `.loki`)
or put a FIFO where `pending.json` or the lock's `owner.pid` belongs: the write is refused with
the path named, nothing outside the project changes, and nothing blocks.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from loki_dashboard.loki import control_files
from loki_dashboard.loki.queue_lock import LOCK_NAME, QueueLockTimeout, queue_lock
from loki_dashboard.loki.queue_writer import QueueFileInvalid, insert_front, update_pending
from loki_dashboard.loki.run_folder import UnsafeRunFolder
from tests.loki.hostile import finishes, release_fifos


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Stands for /etc: a folder outside the project that must stay as it is."""
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "passwd").write_text("root:x:0:0\n")
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(folder.rglob("*"))
    }


def _writes(loki_dir: Path) -> list[tuple[str, Callable[[], object]]]:
    return [
        ("request_pause", lambda: control_files.request_pause(loki_dir)),
        ("request_stop", lambda: control_files.request_stop(loki_dir)),
        ("write_human_input", lambda: control_files.write_human_input(loki_dir, "hi")),
        ("write_model_override", lambda: control_files.write_model_override(loki_dir, "opus")),
        ("clear_pause_and_stop", lambda: control_files.clear_pause_and_stop(loki_dir)),
        ("update_pending", lambda: update_pending(loki_dir / "queue", insert_front({"id": "t"}))),
    ]


class TestALinkedRunFolder:
    def test_no_control_or_queue_write_follows_a_linked_loki(
        self, project: Path, outside: Path
    ) -> None:
        (project / ".loki").symlink_to(outside)
        before = tree(outside)
        for name, write in _writes(project / ".loki"):
            with pytest.raises((UnsafeRunFolder, QueueFileInvalid)) as refused:
                write()
            message = str(refused.value)
            assert str(project / ".loki") in message, name
            assert "symbolic link" in message, name
            assert str(outside) in message, name
        assert tree(outside) == before  # no /etc/queue/pending.json, no /etc/PAUSE

    def test_a_loki_linked_into_another_project_is_refused(self, tmp_path: Path) -> None:
        ours, theirs = tmp_path / "ours", tmp_path / "theirs" / ".loki"
        (theirs / "queue").mkdir(parents=True)
        (theirs / "queue" / "pending.json").write_text('[{"id": "theirs"}]\n')
        ours.mkdir()
        (ours / ".loki").symlink_to(theirs)
        with pytest.raises(QueueFileInvalid, match="symbolic link"):
            update_pending(ours / ".loki" / "queue", insert_front({"id": "ours"}))
        with pytest.raises(UnsafeRunFolder):
            control_files.request_stop(ours / ".loki")
        assert json.loads((theirs / "queue" / "pending.json").read_text()) == [{"id": "theirs"}]
        assert not (theirs / "STOP").exists()

    @pytest.mark.parametrize("folder", ["queue", "state"])
    def test_a_linked_subfolder_is_refused_and_never_created_through(
        self, project: Path, outside: Path, folder: str
    ) -> None:
        loki_dir = project / ".loki"
        loki_dir.mkdir()
        (loki_dir / folder).symlink_to(outside / "missing-target")  # dangling: mkdir would follow
        before = tree(outside)
        write = dict(_writes(loki_dir))[
            "update_pending" if folder == "queue" else "write_model_override"
        ]
        with pytest.raises((UnsafeRunFolder, QueueFileInvalid), match=f"{folder} is a symbolic"):
            write()
        assert tree(outside) == before

    def test_a_loki_that_is_a_file_is_refused(self, project: Path) -> None:
        (project / ".loki").write_text("not a folder")
        with pytest.raises(UnsafeRunFolder, match="is a regular file, not a folder"):
            control_files.request_pause(project / ".loki")


class TestHostileFilesInTheQueue:
    def test_a_fifo_pending_json_is_refused_without_blocking(self, project: Path) -> None:
        queue = project / ".loki" / "queue"
        queue.mkdir(parents=True)
        os.mkfifo(queue / "pending.json")
        try:
            with pytest.raises(QueueFileInvalid, match="pending.json is a FIFO"):
                finishes(update_pending, queue, insert_front({"id": "t"}))
        finally:
            release_fifos(project)
        assert not (queue / LOCK_NAME).exists()  # the lock was released

    def test_a_linked_pending_json_is_refused_and_its_target_kept(
        self, project: Path, outside: Path
    ) -> None:
        queue = project / ".loki" / "queue"
        queue.mkdir(parents=True)
        (queue / "pending.json").symlink_to(outside / "passwd")
        with pytest.raises(QueueFileInvalid, match="symbolic link"):
            update_pending(queue, insert_front({"id": "t"}))
        assert (outside / "passwd").read_text() == "root:x:0:0\n"

    def test_a_fifo_owner_pid_in_a_stale_lock_neither_blocks_nor_spins(self, project: Path) -> None:
        queue = project / ".loki" / "queue"
        (queue / LOCK_NAME).mkdir(parents=True)
        os.mkfifo(queue / LOCK_NAME / "owner.pid")
        old = time.time() - 3600
        os.utime(queue / LOCK_NAME, (old, old))
        try:
            finishes(update_pending, queue, insert_front({"id": "t"}))  # stale: broken, taken
        finally:
            release_fifos(project)
        assert json.loads((queue / "pending.json").read_text()) == [{"id": "t"}]

    def test_a_lock_that_is_not_a_folder_times_out_instead_of_spinning(self, project: Path) -> None:
        queue = project / ".loki" / "queue"
        queue.mkdir(parents=True)
        (queue / LOCK_NAME).write_text("junk")  # unbreakable: rmdir refuses a file
        old = time.time() - 3600
        os.utime(queue / LOCK_NAME, (old, old))
        cpu = time.process_time()

        def hold() -> None:
            with queue_lock(queue, timeout=0.5):
                pass

        with pytest.raises(QueueLockTimeout):
            finishes(hold)
        assert time.process_time() - cpu < 0.4  # it waited by sleeping, not by spinning
        assert (queue / LOCK_NAME).read_text() == "junk"


class TestWritesThatStillWork:
    def test_a_missing_loki_and_state_are_made_as_real_folders(self, project: Path) -> None:
        control_files.write_model_override(project / ".loki", "opus")
        assert (project / ".loki" / "state" / "model-override").read_text() == "opus\n"
        assert not (project / ".loki").is_symlink()

    def test_a_control_file_that_is_a_link_is_replaced_not_followed(
        self, project: Path, outside: Path
    ) -> None:
        loki_dir = project / ".loki"
        loki_dir.mkdir()
        (loki_dir / "HUMAN_INPUT.md").symlink_to(outside / "passwd")
        (loki_dir / "PAUSE").symlink_to(outside / "passwd")
        control_files.write_human_input(loki_dir, "hello")
        control_files.clear_pause_and_stop(loki_dir)
        assert (loki_dir / "HUMAN_INPUT.md").read_text() == "hello"
        assert not (loki_dir / "HUMAN_INPUT.md").is_symlink()
        assert not (loki_dir / "PAUSE").exists()
        assert (outside / "passwd").read_text() == "root:x:0:0\n"

    def test_a_project_folder_that_is_gone_is_refused_not_made_again(self, tmp_path: Path) -> None:
        gone = tmp_path / "gone"
        with pytest.raises(UnsafeRunFolder, match="is no folder any more"):
            control_files.request_pause(gone / ".loki")
        assert not gone.exists()

    def test_a_control_file_that_is_a_folder_is_refused(self, project: Path) -> None:
        (project / ".loki" / "STOP").mkdir(parents=True)
        with pytest.raises(UnsafeRunFolder, match="STOP is a folder"):
            control_files.clear_pause_and_stop(project / ".loki")

    def test_the_queue_keeps_its_mode_and_shape(self, project: Path) -> None:
        queue = project / ".loki" / "queue"
        queue.mkdir(parents=True)
        (queue / "pending.json").write_text('{"tasks": [{"id": "a"}], "version": 2}\n')
        (queue / "pending.json").chmod(0o640)
        update_pending(queue, insert_front({"id": "b"}))
        document = json.loads((queue / "pending.json").read_text())
        assert document == {"tasks": [{"id": "b"}, {"id": "a"}], "version": 2}
        assert (queue / "pending.json").stat().st_mode & 0o777 == 0o640
        assert sorted(p.name for p in queue.iterdir()) == ["pending.json"]  # no temp left
