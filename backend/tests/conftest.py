"""Shared fixtures: a private LOKI_HOME per test, real databases, a running app and client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from loki_dashboard.app import create_app
from loki_dashboard.config import Settings, load_settings

pytest_plugins = ["tests.fixtures.database", "tests.fixtures.server"]


@pytest.fixture(autouse=True)
def loki_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point LOKI_HOME (and nothing else of the user's) at a temporary folder."""
    home = tmp_path / "loki-home"
    home.mkdir()
    monkeypatch.setenv("LOKI_HOME", str(home))
    for name in (
        "LOKI_DATABASE_URL",
        "LOKI_DASHBOARD_HOST",
        "LOKI_DASHBOARD_PORT",
        "LOKI_DASHBOARD_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def settings(loki_home: Path, database_url: str) -> Settings:
    return load_settings(home=str(loki_home), database_url=database_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """A fully started app (lifespan ran: database migrated, bus ready)."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:57374") as c:
        yield c


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """An empty folder to register as a project."""
    folder = tmp_path / "my-project"
    folder.mkdir()
    return folder


@pytest.fixture
def settings_kind(settings: Settings) -> str:
    """'sqlite' or 'postgresql': the database this test run is on."""
    return settings.database_kind


# No token may ever reach a log: after the whole run, every log file the tests' servers and
# commands wrote (all under pytest's temporary folder) is searched for token-shaped values.
_TOKEN_SHAPE = re.compile(rb"loki_[A-Za-z0-9_\-]{40,}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or exitstatus != 0:
        return
    leaks = [
        str(path)
        for path in factory.getbasetemp().rglob("*.log")
        if path.is_file() and _TOKEN_SHAPE.search(path.read_bytes())
    ]
    if leaks:
        session.config.get_terminal_writer().line(f"token values found in logs: {leaks}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
