"""Recent events per channel, kept so a client can resume with `since`.

Bounded per channel and in total: a server with thousands of projects and sessions must not
keep thousands of full stores. Over the total, the channel that has gone longest without an
event loses its whole store, and a resume on it from before the newest event dropped gets
`resync` instead of a replay with a hole in it.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable

# Channels whose dropped seq is remembered one by one; older ones share one watermark.
MAX_DROPPED_CHANNELS = 10_000


class ReplayStore:
    def __init__(self, *, per_channel: int, total: int) -> None:
        self._per_channel = per_channel
        self._total = max(total, per_channel)
        self._count = 0
        # Least recently appended first: the order in which channels are dropped.
        self._kept: OrderedDict[str, deque[tuple[int, str]]] = OrderedDict()
        self._dropped: dict[str, int] = {}  # channel → newest seq no longer kept
        self._forgotten = 0  # the same, for every channel no longer named in `_dropped`

    def __len__(self) -> int:
        """How many events are kept, over all channels."""
        return self._count

    def add(self, channel: str, seq: int, text: str) -> None:
        kept = self._kept.get(channel)
        if kept is None:
            kept = self._kept[channel] = deque(maxlen=self._per_channel)
        else:
            self._kept.move_to_end(channel)
        if len(kept) == kept.maxlen:
            self._dropped[channel] = kept[0][0]
        else:
            self._count += 1
        kept.append((seq, text))
        if self._count > self._total:
            self._shrink()

    def events(self, channel: str) -> Iterable[tuple[int, str]]:
        """The kept events of `channel`, oldest first."""
        return self._kept.get(channel, ())

    def resumable_from(self, channel: str) -> int:
        """The oldest `since` a resume on `channel` can be served from (0: any)."""
        return self._dropped.get(channel, self._forgotten)

    def _shrink(self) -> None:
        while self._count > self._total and len(self._kept) > 1:
            channel, kept = self._kept.popitem(last=False)
            self._count -= len(kept)
            self._dropped.pop(channel, None)  # re-added last: the newest drop is kept longest
            self._dropped[channel] = kept[-1][0]
        while len(self._dropped) > MAX_DROPPED_CHANNELS:
            channel = next(iter(self._dropped))
            self._forgotten = max(self._forgotten, self._dropped.pop(channel))
