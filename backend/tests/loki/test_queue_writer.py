from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from loki_dashboard.loki import queue_lock as lock_module
from loki_dashboard.loki.queue_lock import LOCK_NAME, QueueLockTimeout, queue_lock
from loki_dashboard.loki.queue_writer import (
    QueueFileInvalid,
    insert_front,
    remove,
    reorder,
    update_pending,
)


@pytest.fixture
def queue(tmp_path: Path) -> Path:
    folder = tmp_path / ".loki" / "queue"
    folder.mkdir(parents=True)
    return folder


def entry(task_id: str) -> dict[str, str]:
    return {"id": task_id, "title": task_id}


def ids(queue: Path) -> list[str]:
    document = json.loads((queue / "pending.json").read_text())
    tasks = document["tasks"] if isinstance(document, dict) else document
    return [t["id"] for t in tasks]


class TestShapes:
    def test_wrapper_shape_other_keys_and_mode_are_kept(self, queue: Path) -> None:
        path = queue / "pending.json"
        path.write_text(json.dumps({"version": 3, "tasks": [entry("prd-1")]}))
        path.chmod(0o600)
        update_pending(queue, insert_front(entry("dash-1")))
        document = json.loads(path.read_text())
        assert document["version"] == 3
        assert [t["id"] for t in document["tasks"]] == ["dash-1", "prd-1"]
        assert path.stat().st_mode & 0o777 == 0o600
        assert "\n  " not in path.read_text()  # a one-line file stays one line

    def test_list_shape_pretty_printed_stays_so(self, queue: Path) -> None:
        (queue / "pending.json").write_text(json.dumps([entry("a")], indent=2))
        update_pending(queue, insert_front(entry("b")))
        assert isinstance(json.loads((queue / "pending.json").read_text()), list)
        assert "\n  " in (queue / "pending.json").read_text()
        assert ids(queue) == ["b", "a"]

    def test_missing_file_is_created_and_same_id_is_not_duplicated(self, queue: Path) -> None:
        update_pending(queue, insert_front(entry("x")))
        update_pending(queue, insert_front(entry("y")))
        update_pending(queue, insert_front(entry("x")))
        assert ids(queue) == ["x", "y"]

    def test_reorder_moves_only_named_entries_and_remove(self, queue: Path) -> None:
        (queue / "pending.json").write_text(json.dumps([entry(i) for i in "abcde"]))
        update_pending(queue, reorder(["d", "b"]))
        assert ids(queue) == ["a", "d", "c", "b", "e"]
        update_pending(queue, remove("c"))
        assert ids(queue) == ["a", "d", "b", "e"]

    def test_unknown_shape_is_refused_and_left_alone(self, queue: Path) -> None:
        (queue / "pending.json").write_text('{"tasks": 5}')
        with pytest.raises(QueueFileInvalid):
            update_pending(queue, insert_front(entry("x")))
        assert (queue / "pending.json").read_text() == '{"tasks": 5}'
        assert not (queue / LOCK_NAME).exists()


class TestLock:
    def test_held_lock_times_out_and_changes_nothing(self, queue: Path) -> None:
        (queue / LOCK_NAME).mkdir()
        (queue / LOCK_NAME / "owner.pid").write_text(str(os.getpid()))
        (queue / "pending.json").write_text("[]")
        with pytest.raises(QueueLockTimeout, match="locked"), queue_lock(queue, timeout=0.3):
            pass
        assert (queue / "pending.json").read_text() == "[]"

    def test_stale_lock_of_a_dead_owner_is_broken(self, queue: Path) -> None:
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        lock = queue / LOCK_NAME
        lock.mkdir()
        (lock / "owner.pid").write_text(str(dead.pid))
        old = time.time() - lock_module.STALE_SECONDS - 5
        os.utime(lock, (old, old))
        update_pending(queue, insert_front(entry("x")))
        assert ids(queue) == ["x"]
        assert not lock.exists()

    def test_recent_lock_of_a_dead_owner_is_respected(self, queue: Path) -> None:
        lock = queue / LOCK_NAME
        lock.mkdir()
        (lock / "owner.pid").write_text("999999")
        with pytest.raises(QueueLockTimeout), queue_lock(queue, timeout=0.2):
            pass


# The runner's side of the race: bash takes the same mkdir lock, then rewrites pending.json in
# place (as the runner does) and moves our entries out, like a run consuming its queue.
BASH_WRITER = r"""
set -u
q="$1"; stop="$2"; n=0
while [ ! -e "$stop" ]; do
  if mkdir "$q/.pending.lock.lockdir" 2>/dev/null; then
    echo $$ > "$q/.pending.lock.lockdir/owner.pid"
    python3 - "$q" "$n" <<'PY'
import json, sys
q, n = sys.argv[1], sys.argv[2]
path = q + "/pending.json"
try:
    tasks = json.load(open(path))
except FileNotFoundError:
    tasks = []
taken = [t for t in tasks if t["id"].startswith("inj-")]
kept = [t for t in tasks if not t["id"].startswith("inj-")]
with open(q + "/consumed.jsonl", "a") as out:
    for t in taken:
        out.write(json.dumps(t) + "\n")
kept.append({"id": f"runner-{n}", "title": "runner"})
with open(path, "w") as f:
    json.dump(kept[-20:], f)
PY
    rm -f "$q/.pending.lock.lockdir/owner.pid"; rmdir "$q/.pending.lock.lockdir"
    n=$((n+1))
  fi
  sleep 0.2
done
"""


def test_injections_racing_a_bash_writer_lose_and_duplicate_nothing(queue: Path) -> None:
    count = int(os.environ.get("LOKI_TEST_QUEUE_RACE", "10000"))
    (queue / "pending.json").write_text("[]")
    stop = queue.parent / "stop-writer"
    writer = subprocess.Popen(["bash", "-c", BASH_WRITER, "bash", str(queue), str(stop)])
    invalid: list[str] = []
    done = threading.Event()

    def watch_validity() -> None:
        while not done.is_set():
            text = (queue / "pending.json").read_text()
            try:
                json.loads(text)
            except ValueError:
                # Only the runner writes in place; our renames are always whole files.
                if not (queue / LOCK_NAME).exists():
                    invalid.append(text[:100])
            time.sleep(0.002)

    watcher = threading.Thread(target=watch_validity)
    watcher.start()
    try:
        for n in range(count):
            update_pending(queue, insert_front(entry(f"inj-{n}")))
    finally:
        done.set()
        watcher.join()
        stop.touch()
        writer.wait(30)
    left = [i for i in ids(queue) if i.startswith("inj-")]
    consumed_file = queue / "consumed.jsonl"
    consumed = (
        [json.loads(line)["id"] for line in consumed_file.read_text().splitlines()]
        if consumed_file.exists()
        else []
    )
    everything = left + consumed
    assert len(everything) == len(set(everything)), "an injected task was duplicated"
    assert set(everything) == {f"inj-{n}" for n in range(count)}, "an injected task was lost"
    assert consumed, "the bash writer never got the lock: the race did not happen"
    assert invalid == []
