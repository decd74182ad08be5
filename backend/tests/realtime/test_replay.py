"""The replay store stays bounded in total, and a resume it can no longer serve gets resync."""

from __future__ import annotations

import uuid

import pytest

from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.realtime.hub import Hub, Resync
from loki_dashboard.realtime.replay import ReplayStore


def test_the_store_drops_the_quietest_channel_when_over_its_total() -> None:
    store = ReplayStore(per_channel=3, total=5)
    for seq, channel in enumerate(["a", "a", "b", "b", "a", "c"], start=1):
        store.add(channel, seq, f"e{seq}")
    # "b" went longest without an event: its store went whole, the others stay.
    assert len(store) == 4
    assert list(store.events("b")) == []
    assert [seq for seq, _ in store.events("a")] == [1, 2, 5]
    assert [seq for seq, _ in store.events("c")] == [6]
    assert store.resumable_from("b") == 4
    assert store.resumable_from("a") == 0
    store.add("a", 7, "e7")  # over its own size: the oldest goes, one by one
    assert [seq for seq, _ in store.events("a")] == [2, 5, 7]
    assert store.resumable_from("a") == 1


def test_hub_memory_is_bounded_over_many_projects_and_old_resumes_resync() -> None:
    hub = Hub(replay_size=10, start_seq=0, replay_total=100)
    projects = [uuid.uuid4() for _ in range(200)]
    for project_id in projects:
        for n in range(3):
            hub.deliver(hub.seq + 1, DomainEvent("task:created", {"n": n}, project_id=project_id))
    assert len(hub.replay) <= 100
    first, last = f"project:{projects[0]}", f"project:{projects[-1]}"
    with pytest.raises(Resync):
        hub.check_resume([first], 0)
    hub.check_resume([first], hub.seq)  # nothing after it was dropped
    hub.check_resume([last], hub.seq - 3)  # the latest project's events are all kept
    assert [seq for seq, _ in hub.replay.events(last)] == [598, 599, 600]
