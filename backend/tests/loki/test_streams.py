from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from loki_dashboard.loki.events_log import parse_event_lines
from loki_dashboard.loki.learnings import parse_learnings
from loki_dashboard.loki.log_lines import REDACTED, parse_line, redact_data
from loki_dashboard.loki.metrics import read_iteration_costs, read_tracking, token_totals
from loki_dashboard.loki.registry import parse_registry
from loki_dashboard.loki.tail import Cursor, read_new_lines


def _totals(loki: Path) -> dict[str, Any] | None:
    """Every iteration on disk, as when a run's start is not known."""
    return token_totals(read_iteration_costs(loki), read_tracking(loki), since=None)


class TestLogLines:
    def test_ansi_stripped_raw_kept_level_parsed(self) -> None:
        line = parse_line("\x1b[0;31m[ERROR]\x1b[0m build failed\n")
        assert line.message == "[ERROR] build failed"
        assert "\x1b[0;31m" in line.raw
        assert line.level == "error"
        assert parse_line("[STEP] 2").level == "step"
        assert parse_line("[WARN] x").level == "warn"
        assert parse_line("plain text").level == "info"

    def test_secrets_redacted_in_both_copies(self) -> None:
        secret = "sk-ant-api03-" + "a" * 40
        line = parse_line(
            f"\x1b[1mkey {secret} Authorization: Bearer abcdef123456789 "
            "ANTHROPIC_API_KEY=supersecretvalue ghp_" + "b" * 36
        )
        for text in (line.message, line.raw):
            assert secret not in text
            assert "abcdef123456789" not in text
            assert "supersecretvalue" not in text
            assert "b" * 36 not in text
            assert REDACTED in text

    def test_secrets_redacted_in_parsed_json(self) -> None:
        secret = "ghp_" + "c" * 36
        value = {
            "cmd": f"git push https://{secret}@github.com",
            "nested": [{"password": "pa55word"}, {"input_tokens": 12, "tokens": "kept"}],
            "auth_token": "abc",
        }
        assert redact_data(value) == {
            "cmd": f"git push https://{REDACTED}@github.com",
            "nested": [{"password": REDACTED}, {"input_tokens": 12, "tokens": "kept"}],
            "auth_token": REDACTED,
        }
        deep: list[object] = []
        for _ in range(100):
            deep = [deep]
        assert "[TRUNCATED]" in json.dumps(redact_data(deep))

    def test_long_lines_are_capped(self) -> None:
        assert len(parse_line("x" * 100_000).message) <= 16_384


class TestTail:
    def test_first_read_starts_near_end_then_follows(self, tmp_path: Path) -> None:
        log = tmp_path / "agent.log"
        log.write_bytes(b"old line\n" * 1000)
        first = read_new_lines(log, None, backlog=50)
        assert all(line == b"old line" for line in first.lines)
        assert len(first.lines) < 10
        with log.open("ab") as f:
            f.write(b"new 1\nnew 2\npartial")
        second = read_new_lines(log, first.cursor)
        assert second.lines == [b"new 1", b"new 2"]
        with log.open("ab") as f:
            f.write(b" end\n")
        assert read_new_lines(log, second.cursor).lines == [b"partial end"]

    def test_trim_by_temp_file_and_mv_continues_after_what_was_read(self, tmp_path: Path) -> None:
        log = tmp_path / "agent.log"
        log.write_bytes(b"".join(b"line %d\n" % i for i in range(5000)))
        cursor = read_new_lines(log, None).cursor
        assert cursor is not None
        # run.sh: tail -c 500000 file > tmp && mv tmp file (a new, smaller inode).
        tmp = tmp_path / "agent.log.trim"
        tmp.write_bytes(log.read_bytes()[-1000:] + b"appended after trim\n")
        os.replace(tmp, log)
        trimmed = read_new_lines(log, cursor)
        assert trimmed.reset == "trimmed"
        assert trimmed.lines == [b"appended after trim"]
        with log.open("ab") as f:
            f.write(b"later\n")
        assert read_new_lines(log, trimmed.cursor).lines == [b"later"]

    def test_truncated_in_place_to_fresh_content_reads_from_start(self, tmp_path: Path) -> None:
        log = tmp_path / "agent.log"
        log.write_bytes(b"old\n" * 5000)
        cursor = read_new_lines(log, None).cursor
        log.write_bytes(b"fresh\n")  # truncate + write: same inode, smaller
        read = read_new_lines(log, cursor)
        assert read.reset == "truncated"
        assert read.lines == [b"fresh"]

    def test_rotation_reads_new_file_from_start(self, tmp_path: Path) -> None:
        log = tmp_path / "events.jsonl"
        log.write_bytes(b"one\n")
        cursor = read_new_lines(log, None).cursor
        os.rename(log, tmp_path / "events.jsonl.1")
        log.write_bytes(b"two\nthree\n")
        rotated = read_new_lines(log, cursor)
        assert rotated.reset == "rotated"
        assert rotated.lines == [b"two", b"three"]

    def test_chunks_bound_memory_and_report_more(self, tmp_path: Path) -> None:
        log = tmp_path / "big.log"
        log.write_bytes(b"")
        cursor = read_new_lines(log, None).cursor
        log.write_bytes(b"0123456789\n" * 1000)
        total, more = 0, True
        while more:
            read = read_new_lines(log, cursor, chunk=1000)
            assert len(read.lines) <= 100
            total += len(read.lines)
            cursor, more = read.cursor, read.more
        assert total == 1000

    def test_missing_file(self, tmp_path: Path) -> None:
        read = read_new_lines(tmp_path / "nope.log", Cursor(1, 5))
        assert read.lines == []
        assert read.cursor == Cursor(1, 5)


class TestEvents:
    def test_torn_lines_string_data_and_junk(self) -> None:
        events = parse_event_lines(
            [
                b'{"timestamp":"2026-08-10T12:00:00Z","type":"phase_change",'
                b'"data":{"from":"BOOTSTRAP","to":"BUILDING"}}',
                b'{"timestamp":"2026-08-10T12:00:01Z","type":"note","data":"hello"}',
                b"[1,2]",
                b'{"type": "iteration_start", "timestamp": 1786363200000}',
                b'{"timestamp":"2026-08-10T12:00:02Z","type":"iteration_st',
            ]
        )
        assert [e.type for e in events] == ["phase_change", "note", "iteration_start"]
        assert events[0].data["to"] == "BUILDING"
        assert events[1].data == {"message": "hello"}
        assert events[2].timestamp is not None


class TestLearningsAndRegistry:
    def test_header_skipped_and_duplicates_merged(self) -> None:
        text = "\n".join(
            [
                json.dumps({"version": "1.0", "created": "2026-01-01T00:00:00Z"}),
                json.dumps({"project": "a", "category": "session", "description": "Use WAL"}),
                json.dumps({"project": "b", "category": "session", "description": "Use WAL"}),
                "{torn",
                json.dumps({"description": "Pin versions"}),
                json.dumps({"category": "db", "description": "Use WAL"}),  # another category
            ]
        )
        records = parse_learnings(text, "patterns")
        assert [(r.description, r.category) for r in records] == [
            ("Use WAL", "session"),
            ("Pin versions", None),
            ("Use WAL", "db"),
        ]
        assert records[0].project == "a"
        assert parse_learnings(json.dumps({"version": "1.0"}), "mistakes") == []

    def test_registry(self) -> None:
        value = {
            "version": "1",
            "projects": {
                "abc": {"path": "/home/u/shop", "name": "shop", "status": "running"},
                "def": {"path": "relative"},
                "ghi": "junk",
            },
        }
        assert [(p.path, p.name) for p in parse_registry(value)] == [("/home/u/shop", "shop")]
        assert parse_registry([]) == []


class TestMetrics:
    def test_zero_iterations_are_unmeasured_and_tracking_is_fallback(self, tmp_path: Path) -> None:
        loki = tmp_path / ".loki"
        eff = loki / "metrics" / "efficiency"
        eff.mkdir(parents=True)
        (eff / "iteration-1.json").write_text(json.dumps({"input_tokens": 0, "output_tokens": 0}))
        assert _totals(loki) is None
        (loki / "context").mkdir()
        # context-tracker.py's shape.
        tracking = {
            "provider": "claude",
            "current": {"input_tokens": 3, "output_tokens": 1},
            "totals": {
                "total_input": 10,
                "total_output": 5,
                "total_cost_usd": 0.5,
                "compaction_count": 0,
                "iterations_tracked": 2,
            },
        }
        (loki / "context" / "tracking.json").write_text(json.dumps(tracking))
        assert _totals(loki) == {
            "input": 10,
            "output": 5,
            "cost_usd": 0.5,
            "source": "context/tracking.json",
        }
        # Older, shorter key names are still read.
        (loki / "context" / "tracking.json").write_text(
            json.dumps({"totals": {"input": 7, "output": 2, "cost_usd": 0.1}})
        )
        assert _totals(loki) == {
            "input": 7,
            "output": 2,
            "cost_usd": 0.1,
            "source": "context/tracking.json",
        }
        (loki / "context" / "tracking.json").write_text(json.dumps(tracking))
        (eff / "iteration-2.json").write_text(
            json.dumps({"input_tokens": 100, "output_tokens": 20, "cost_usd": 0.25})
        )
        totals = _totals(loki)
        assert totals is not None
        assert (totals["input"], totals["iterations"], totals["source"]) == (
            100,
            1,
            "metrics/efficiency",
        )

    def test_per_iteration_figures_in_iteration_order_for_the_chart(self, tmp_path: Path) -> None:
        eff = tmp_path / ".loki" / "metrics" / "efficiency"
        eff.mkdir(parents=True)
        for n, tokens in ((10, 300), (2, 100), (3, 0)):  # 3 is all zero: not measured
            (eff / f"iteration-{n}.json").write_text(
                json.dumps(
                    {"input_tokens": tokens, "output_tokens": int(tokens > 0), "cost_usd": n / 100}
                )
            )
        (eff / "iteration-7.json").write_text(
            json.dumps({"iteration": True, "input_tokens": 5, "output_tokens": 0})
        )
        totals = _totals(tmp_path / ".loki")
        assert totals is not None
        assert totals["per_iteration"] == [
            {"iteration": 2, "input": 100, "output": 1, "cost_usd": 0.02},
            {"iteration": 7, "input": 5, "output": 0, "cost_usd": 0.0},
            {"iteration": 10, "input": 300, "output": 1, "cost_usd": 0.1},
        ]
        assert (totals["input"], totals["output"], totals["iterations"]) == (405, 2, 3)


class TestQuality:
    def test_gates_from_quality_folder_council_and_checklist(self, tmp_path: Path) -> None:
        from loki_dashboard.loki.quality import read_quality

        loki = tmp_path / ".loki"
        assert read_quality(loki) == {}
        (loki / "quality").mkdir(parents=True)
        (loki / "quality" / "lint.pass").touch()
        (loki / "quality" / ".tmp_x.pass").touch()
        (loki / "quality" / "gate-failures.txt").write_text("unit tests: 2 failed\n\n")
        (loki / "quality" / "test-results.json").write_text('{"passed": 10, "failed": 2}')
        (loki / "council").mkdir()
        (loki / "council" / "state.json").write_text('{"enabled": true, "verdict": "APPROVE"}')
        (loki / "checklist").mkdir()
        (loki / "checklist" / "verification-results.json").write_text("{torn")
        assert read_quality(loki) == {
            "quality": {
                "passed": ["lint"],
                "failures": ["unit tests: 2 failed"],
                "tests": {"passed": 10, "failed": 2},
            },
            "council": {"enabled": True, "verdict": "APPROVE"},
        }
