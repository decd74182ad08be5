from __future__ import annotations

import json
import os
from pathlib import Path

from loki_dashboard.loki.files import ReadStatus, is_ignored_name, read_json, stamp
from loki_dashboard.loki.queue import merge, parse_current_task, parse_group, title_of


class TestReadJson:
    def test_missing_empty_invalid_wrong_and_too_big(self, tmp_path: Path) -> None:
        assert read_json(tmp_path / "nope.json").status is ReadStatus.MISSING
        empty = tmp_path / "empty.json"
        empty.write_bytes(b"")
        assert read_json(empty).status is ReadStatus.EMPTY
        assert read_json(empty).status.transient
        torn = tmp_path / "torn.json"
        torn.write_text('{"phase": "BUILD')
        assert read_json(torn).status is ReadStatus.INVALID
        big = tmp_path / "big.json"
        big.write_text(json.dumps(["x" * 100]))
        assert read_json(big, max_bytes=50).status is ReadStatus.TOO_BIG
        # A folder where a file should be is not a file of the run: absent, like a FIFO.
        assert read_json(tmp_path).status is ReadStatus.MISSING
        binary = tmp_path / "bin.json"
        binary.write_bytes(b"\xff\xfe\x00garbage")
        assert read_json(binary).status is ReadStatus.INVALID

    def test_digest_follows_content_only(self, tmp_path: Path) -> None:
        path = tmp_path / "a.json"
        path.write_text('{"a": 1}')
        first = read_json(path)
        path.write_text('{"a": 1}')
        assert read_json(path).digest == first.digest
        path.write_text('{"a": 2}')
        assert read_json(path).digest != first.digest

    def test_stamp_sees_same_second_rewrites(self, tmp_path: Path) -> None:
        path = tmp_path / "a.json"
        path.write_text("1")
        before = stamp(path)
        os.utime(path, ns=(1, 1))
        assert stamp(path) != before
        assert stamp(tmp_path / "gone") is None

    def test_ignored_names(self) -> None:
        assert is_ignored_name(".pending.lock")
        assert is_ignored_name("dashboard-state.json.tmp.123.456")
        assert is_ignored_name("agents.json.tmp")
        assert not is_ignored_name("pending.json")


class TestQueue:
    def test_both_shapes_and_junk_entries(self) -> None:
        bare = parse_group([{"id": "a", "title": "A"}, "junk", 3, None], "pending")
        wrapped = parse_group({"tasks": [{"id": "b"}]}, "pending")
        assert [t.external_id for t in bare] == ["a"]
        assert [t.external_id for t in wrapped] == ["b"]
        assert parse_group({"nope": 1}, "pending") == []
        assert parse_group("string", "pending") == []

    def test_title_fallback_chain(self) -> None:
        assert title_of({"title": "T", "payload": {"action": "A"}}) == "T"
        assert title_of({"payload": {"action": "A"}, "type": "todo"}) == "A"
        assert title_of({"type": "todo"}) == "todo"
        assert title_of({"payload": "not a dict"}) == "Task"

    def test_duplicates_terminal_wins_failed_beats_completed(self) -> None:
        tasks = [
            *parse_group([{"id": "iteration-3"}, {"id": "p"}], "in_progress"),
            *parse_group([{"id": "iteration-3"}, {"id": "iteration-3"}], "completed"),
            *parse_group([{"id": "iteration-3"}], "failed"),
            *parse_group([{"id": "p"}], "pending"),
        ]
        merged = merge(tasks)
        assert merged["iteration-3"].status == "failed"
        assert merged["p"].status == "in_progress"

    def test_fields_coerced(self) -> None:
        (task,) = parse_group(
            [
                {
                    "id": 7,
                    "priority": 9,
                    "labels": ["bug", {"x": 1}],
                    "github_issue": "12",
                    "type": "t" * 100,
                }
            ],
            "failed",
        )
        assert task.external_id == "7"
        assert task.priority == "critical"
        assert task.labels == ["bug"]
        assert task.github_issue == 12
        assert len(task.type) == 32
        (normal,) = parse_group([{"id": "x", "priority": "normal"}], "pending")
        assert normal.priority == "medium"

    def test_entry_without_id_gets_stable_id(self) -> None:
        first = parse_group([{"title": "no id"}], "pending")[0].external_id
        again = parse_group([{"title": "no id"}], "review")[0].external_id
        assert first == again
        assert first.startswith("anon-")

    def test_current_task_empty_between_iterations(self) -> None:
        assert parse_current_task({}) == []
        assert parse_current_task([]) == []
        (card,) = parse_current_task({"id": "iteration-2", "title": "Build"})
        assert card.status == "in_progress"
