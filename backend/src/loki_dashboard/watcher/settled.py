"""Settled reads: a file caught empty or half-written is re-read before it counts as bad.

A bash in-place write (`cmd > file`) is first seen as an empty file and is valid ~75 ms later,
so an empty or invalid read is retried after 25, 50, 100, 200 and 400 ms. Every read runs in a
worker thread, small files too: the event loop never touches a run's file (a FIFO or a slow disk
would stall every request), and the read itself refuses what is not a regular file.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from loki_dashboard.loki.files import JsonRead, read_json

RETRY_DELAYS = (0.025, 0.05, 0.1, 0.2, 0.4)


async def read_json_off_loop(path: Path) -> JsonRead:
    return await asyncio.to_thread(read_json, path)


async def read_json_settled(path: Path, delays: tuple[float, ...] = RETRY_DELAYS) -> JsonRead:
    """The first read that is not transient, or the last transient one after every retry."""
    result = await read_json_off_loop(path)
    for delay in delays:
        if not result.status.transient:
            break
        await asyncio.sleep(delay)
        result = await read_json_off_loop(path)
    return result
