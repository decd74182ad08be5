"""What `loki dashboard start` refuses before it serves anything, each in one line: a database it
cannot reach, and a DNS name posing as loopback without a token."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from loki_dashboard.config import load_settings
from tests.fixtures.database import pg_database_url, postgres_available
from tests.fixtures.server import cli_env, free_port


def start(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A real `loki dashboard start --foreground`, its output merged as a terminal shows it."""
    command = ["dashboard", "start", "--foreground", "--port", str(free_port()), *args]
    return subprocess.run(
        [sys.executable, "-m", "loki_dashboard", *command],
        env=cli_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=60,
    )


class TestUnreachablePostgres:
    def test_a_closed_port_is_one_line_naming_it(self, loki_home: Path) -> None:
        port = free_port()
        result = start(loki_home, "--db", f"postgresql://loki:secret@127.0.0.1:{port}/loki")
        assert result.returncode == 1
        assert result.stdout.splitlines() == [
            f"error: cannot reach the database postgresql://loki:***@127.0.0.1:{port}/loki: "
            "connection refused (is PostgreSQL running, on that host and port?)"
        ]

    def test_a_missing_database_is_one_line_saying_so(self, loki_home: Path) -> None:
        if (reason := postgres_available()) is not None:
            pytest.skip(reason)
        url = pg_database_url("loki_no_such_database")
        result = start(loki_home, "--db", url)
        assert result.returncode == 1
        lines = result.stdout.splitlines()
        assert len(lines) == 1, result.stdout
        assert 'database "loki_no_such_database" does not exist' in lines[0]


class TestLoopback:
    @pytest.mark.parametrize("host", ["127.0.0.1", "127.5.6.7", "::1", "[::1]", "localhost"])
    def test_loopback_addresses_count(self, loki_home: Path, host: str) -> None:
        assert load_settings(home=str(loki_home), host=host).is_loopback

    @pytest.mark.parametrize("host", ["127.evil.example", "127.0.0.1.nip.io", "0.0.0.0", "::"])
    def test_names_and_wildcards_do_not(self, loki_home: Path, host: str) -> None:
        assert not load_settings(home=str(loki_home), host=host).is_loopback

    def test_a_name_starting_with_127_needs_a_token_to_start(self, loki_home: Path) -> None:
        result = start(loki_home, "--host", "127.0.0.1.nip.io")
        assert result.returncode == 2
        assert result.stdout.startswith("error: refusing to listen on 127.0.0.1.nip.io")
        assert len(result.stdout.splitlines()) == 1
