"""Private keys and password hashes never reach a stored log line, however the lines arrive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loki_dashboard.loki.key_blocks import KeyBlocks
from loki_dashboard.loki.log_lines import parse_line, redact, redact_data
from loki_dashboard.loki.tail import Cursor, read_new_lines
from tests.loki.hostile import KEY_BODY, PRIVATE_KEY

OPENSSH_KEY = """-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACBZ2tsdGVzdGtleWZvcnRoZWRhc2hib2FyZHRlc3RzAAAAmJ0Zn8edGZ/H
AAAAC3NzaC1lZDI1NTE5AAAAIFna2y10ZXN0a2V5
-----END OPENSSH PRIVATE KEY-----"""
ENCRYPTED_PEM = """-----BEGIN RSA PRIVATE KEY-----
Proc-Type: 4,ENCRYPTED
DEK-Info: AES-128-CBC,3F17F5316E2BAC89BB6A4E4FF3E2C1B2

kUsmqN7XGUbV5HJp2tU8T2QjDbJsYQjV6mX1WfTnNn4xYzQ4cW5UeHB3dGtqcGVo
ZmtqZHNma2pzZGhma2pzZGZoa2pzZGZoa2pzZGZoa2pzZGZoa2pz
-----END RSA PRIVATE KEY-----"""


def parsed(lines: list[str]) -> list[str]:
    """What a log of these lines stores (message and raw), followed in order like the mirror."""
    blocks = KeyBlocks()
    out = []
    for line in lines:
        stored = parse_line(line, blocks)
        out += [stored.message, stored.raw]
    return out


def leaks(stored: list[str], key: str) -> list[str]:
    body = [line for line in key.splitlines() if line and "-----" not in line]
    return [part for part in body if any(part in text for text in stored)]


class TestPrivateKeys:
    @pytest.mark.parametrize("key", [PRIVATE_KEY, OPENSSH_KEY, ENCRYPTED_PEM])
    def test_a_key_printed_line_by_line_leaves_no_body_line(self, key: str) -> None:
        lines = ["[INFO] reading the deploy key", *key.splitlines(), "[INFO] done, 3 files"]
        stored = parsed(lines)
        assert leaks(stored, key) == []
        assert stored[0] == "[INFO] reading the deploy key"  # the lines around it are kept
        assert stored[-1] == "[INFO] done, 3 files"

    def test_a_key_inside_one_string_is_cut_from_begin_to_end(self) -> None:
        text = f"tool output: {PRIVATE_KEY} and after"
        assert leaks([redact(text)], PRIVATE_KEY) == []
        assert redact(text).startswith("tool output: [REDACTED]")
        assert redact(text).endswith("and after")
        escaped = json.dumps({"stdout": PRIVATE_KEY})  # a stream-json line: one line, \\n inside
        assert leaks([redact(escaped)], PRIVATE_KEY) == []
        assert leaks([json.dumps(redact_data({"out": PRIVATE_KEY}))], PRIVATE_KEY) == []

    def test_a_begin_line_carrying_key_bytes_is_cut(self) -> None:
        stored = parsed([f"-----BEGIN RSA PRIVATE KEY----- {KEY_BODY[0]}", KEY_BODY[1]])
        assert not any(KEY_BODY[0] in s or KEY_BODY[1] in s for s in stored)

    def test_a_block_without_its_end_stops_at_the_first_normal_line(self) -> None:
        stored = parsed(["-----BEGIN EC PRIVATE KEY-----", *KEY_BODY, "[INFO] next step"])
        assert leaks(stored, "\n".join(KEY_BODY)) == []
        assert stored[-1] == "[INFO] next step"

    def test_key_lines_read_without_their_begin_line_are_hidden(self) -> None:
        """After a restart the BEGIN line may be behind the cursor: the body still shows."""
        stored = parsed([*KEY_BODY, "-----END RSA PRIVATE KEY-----"])
        assert leaks(stored, "\n".join(KEY_BODY)) == []

    def test_a_key_tailed_one_line_at_a_time_leaves_nothing(self, tmp_path: Path) -> None:
        """The run writes the key a line at a time; each tail read returns one line."""
        log = tmp_path / "agent.log"
        log.write_bytes(b"")
        blocks = KeyBlocks()
        cursor: Cursor | None = Cursor(log.stat().st_ino, 0)
        stored: list[str] = []
        for line in ["[INFO] start", *PRIVATE_KEY.splitlines(), "[INFO] end"]:
            with log.open("a") as handle:
                handle.write(line + "\n")
            read = read_new_lines(log, cursor)
            cursor = read.cursor
            assert len(read.lines) == 1
            stored += [parse_line(read.lines[0].decode(), blocks).message]
        assert leaks(stored, PRIVATE_KEY) == []
        assert stored[0] == "[INFO] start"
        assert stored[-1] == "[INFO] end"


class TestOrdinaryText:
    @pytest.mark.parametrize(
        "line",
        [
            "[INFO] commit 3f2a9c1d4e5b6a7980f1e2d3c4b5a6978e0f1a2b",  # hex: one case only
            "4f9c2e1d7a3b5c8e0f6a2d4b9c1e7f3a5d8b0c2e4f6a8b1d3c5e7f9a2b4c6d8e",
            "Building frontend with vite in production mode for deployment",
            "ThisIsJustALongCamelCaseIdentifierWithoutSpaces",
        ],
    )
    def test_ordinary_lines_are_kept(self, line: str) -> None:
        assert parsed([line])[0] == line.rstrip()

    def test_a_long_camel_case_word_does_not_hide_the_next_lines(self) -> None:
        stored = parsed(["ThisIsJustALongCamelCaseIdentifierWithoutSpaces", "OK"])
        assert stored[-1] == "OK"


class TestPasswordHashes:
    @pytest.mark.parametrize(
        ("line", "hidden"),
        [
            (
                "root:$6$rounds=5000$saltsalt$Xb3dGVzdGhhc2g0ZGFzaGJvYXJk.:19000:0:99999:7:::",
                "$6$rounds=5000$saltsalt$Xb3dGVzdGhhc2g0ZGFzaGJvYXJk.",
            ),
            (
                "admin:$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7:19",
                "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7",
            ),
            (
                "hash = $2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
                "R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            ),
            (
                "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
                "aGFzaGhhc2hoYXNoaGFzaA",
            ),
        ],
    )
    def test_hashes_are_redacted_and_the_rest_kept(self, line: str, hidden: str) -> None:
        stored = parse_line(line)
        assert hidden not in stored.message
        assert hidden not in stored.raw
        assert "[REDACTED]" in stored.message
        user = line.split(":")[0]
        if ":" in line and "$" not in user:
            assert stored.message.startswith(f"{user}:[REDACTED]")

    def test_prices_and_shell_variables_are_not_hashes(self) -> None:
        for line in ("cost $5 then $6 more", "echo $HOME $PATH", "total: $12.50"):
            assert parse_line(line).message == line
