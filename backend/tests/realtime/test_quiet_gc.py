"""Full collections wait for a quiet moment: garbage in the old generation goes when no event
has been published for a while, never while events keep coming."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest

from loki_dashboard.realtime.quiet_gc import DEFERRED_FULL_THRESHOLD, QuietCollector


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector can free it


@pytest.fixture
def old_garbage() -> weakref.ref[Node]:
    """A cycle that reached the old generation, then lost its last outside reference, with
    enough middle-generation collections behind it to count as debt."""
    node = Node()
    gc.collect(1)  # survivors of the younger generations move to the oldest
    ref = weakref.ref(node)
    del node
    for _ in range(6):
        gc.collect(1)  # each counts one towards the next full collection
    assert ref() is not None
    return ref


async def test_a_quiet_moment_collects_old_garbage(old_garbage: weakref.ref[Node]) -> None:
    collector = QuietCollector(lambda: 0, quiet_seconds=0.05)
    collector.start()
    try:
        for _ in range(40):
            if old_garbage() is None:
                break
            await asyncio.sleep(0.05)
    finally:
        await collector.stop()
    assert old_garbage() is None
    assert collector.collections >= 1


async def test_no_full_collection_while_events_flow(old_garbage: weakref.ref[Node]) -> None:
    seq = 0

    async def publish() -> None:
        nonlocal seq
        while True:
            seq += 1
            await asyncio.sleep(0.01)

    publisher = asyncio.create_task(publish())
    collector = QuietCollector(lambda: seq, quiet_seconds=0.05)
    collector.start()
    try:
        await asyncio.sleep(0.5)
        assert collector.collections == 0
        assert old_garbage() is not None
    finally:
        await collector.stop()
        publisher.cancel()
    await asyncio.sleep(0)


async def test_automatic_full_collections_are_deferred_while_it_runs() -> None:
    before = gc.get_threshold()
    collector = QuietCollector(lambda: 0, quiet_seconds=10)
    collector.start()
    try:
        assert gc.get_threshold() == (before[0], before[1], DEFERRED_FULL_THRESHOLD)
    finally:
        await collector.stop()
    assert gc.get_threshold() == before
