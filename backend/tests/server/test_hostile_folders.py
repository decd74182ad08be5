"""A real server over hostile run folders keeps answering and writes nowhere outside them.

uvicorn on a loopback port (SQLite and PostgreSQL), projects whose `.loki` holds FIFOs, a link
to /dev/zero, a link to a private key and a link to "/etc", and a repository whose `.git/HEAD` is
a FIFO. A probe asks `/health` every 20 ms throughout: every probe must be answered (the bound is
generous, for a busy machine); its p50/p99 are logged. Before the fix the first FIFO stopped the
event loop for good.
"""

from __future__ import annotations

import contextlib
import logging
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.server import Server
from tests.loki.hostile import KEY_BODY, SECRET_LINE, plant, release_fifos

logger = logging.getLogger(__name__)
# Whatever the machine's load, a server whose event loop is free answers well within this.
ANSWER_BOUND_SECONDS = 5.0
FIFOS = (
    "loki.pid",
    "autonomy-state.json",
    "queue/pending.json",
    "run-1.pid",
    "sessions/s1/loki.pid",
)


class HealthProbe:
    """Asks `/health` every 20 ms in a thread; keeps each answer's latency or failure."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=ANSWER_BOUND_SECONDS) as http:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    status = http.get("/health").status_code
                except httpx.HTTPError as exc:
                    self.failures.append(f"{type(exc).__name__}: {exc}")
                else:
                    self.latencies.append(time.perf_counter() - started)
                    if status != 200:
                        self.failures.append(f"status {status}")
                self._stop.wait(0.02)

    def wait_for_answers(self, count: int) -> None:
        """Until `count` more probes were answered (or one failed)."""
        target = len(self.latencies) + count
        deadline = time.monotonic() + 60
        while len(self.latencies) < target and not self.failures:
            assert time.monotonic() < deadline, "the probe stopped getting answers"
            time.sleep(0.02)

    @contextlib.contextmanager
    def running(self) -> Iterator[HealthProbe]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(ANSWER_BOUND_SECONDS + 1)

    def summary(self) -> str:
        ms = sorted(x * 1000 for x in self.latencies)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        return f"/health n={len(ms)} p50={statistics.median(ms):.1f} ms p99={p99:.1f} ms"


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "passwd").write_text("root:x:0:0\n")
    yield folder
    release_fifos(tmp_path)


def test_hostile_folders_never_stall_the_server_nor_lead_it_outside(
    live_server: Server, tmp_path: Path, outside: Path
) -> None:
    with (
        HealthProbe(live_server.url).running() as probe,
        httpx.Client(base_url=live_server.url, timeout=ANSWER_BOUND_SECONDS) as http,
        contextlib.ExitStack() as stack,
    ):
        probe.wait_for_answers(5)
        # A project whose run folder is full of FIFOs and bad links, once it is watched.
        fifo_project = tmp_path / "fifos"
        (fifo_project / ".loki").mkdir(parents=True)
        created = http.post("/api/projects", json={"path": str(fifo_project)})
        assert created.status_code == 201
        fifos = fifo_project / ".loki"
        for rel in FIFOS:
            plant(fifos / rel, "fifo", outside=outside, stack=stack)
        plant(fifos / "logs" / "agent.log", "dev_zero", outside=outside, stack=stack)
        plant(fifos / "logs" / "run-1.log", "secret_outside", outside=outside, stack=stack)
        for rel in ("loki.pid", "queue/pending.json", "logs/agent.log"):
            wait_until(lambda r=rel: str(fifos / r) in live_server.output(), f"{rel} looked at")
        probe.wait_for_answers(20)

        # A task for it: pending.json is a FIFO, so the queue is refused, at once.
        task = http.post("/api/tasks", json={"project_id": created.json()["id"], "title": "t"})
        assert task.status_code == 409
        assert "FIFO" in task.json()["error"]["message"]

        # Registering a repository whose HEAD is a FIFO.
        repo = tmp_path / "repo"
        plant(repo / ".git" / "HEAD", "fifo", outside=outside, stack=stack)
        registered = http.post("/api/projects", json={"path": str(repo)})
        assert registered.status_code == 201
        assert f"{repo / '.git' / 'HEAD'} is a FIFO" in live_server.output()

        # A project whose `.loki` leads to "/etc": no task, no control file lands there.
        before = tree(outside)
        linked = tmp_path / "linked"
        linked.mkdir()
        project = http.post("/api/projects", json={"path": str(linked)}).json()
        session = http.post("/api/sessions", json={"project_id": project["id"], "start": False})
        (linked / ".loki").symlink_to(outside)
        task = http.post("/api/tasks", json={"project_id": project["id"], "title": "sneaky"})
        assert task.status_code == 409
        # (Resume: a recorded run that never showed is still starting, and is not steered.)
        resume = http.post(f"/api/sessions/{session.json()['id']}/resume")
        assert resume.status_code == 409
        assert str(linked / ".loki") in resume.json()["error"]["message"]
        assert tree(outside) == before

        # After the FIFOs are gone, the server is as it was.
        release_fifos(tmp_path)
        for rel in FIFOS:
            (fifos / rel).unlink()
        probe.wait_for_answers(20)

    logger.info("%s while hostile folders were watched", probe.summary())
    assert probe.failures == []
    assert max(probe.latencies) < ANSWER_BOUND_SECONDS
    output = live_server.output()
    assert output.count(f"{fifos / 'logs' / 'agent.log'} is") == 1  # no flood from /dev/zero
    assert SECRET_LINE not in output
    assert not any(line in output for line in KEY_BODY)
    assert not (outside / "queue").exists()
