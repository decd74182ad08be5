"""Slowing down token guessing: failed tokens counted per client address, in a bounded table.

Only a token that was presented and refused counts; a request with no token at all costs a
guesser nothing and tells them nothing, so it is simply 401 (counting it locked every client of
an address out, valid admins included). A valid token is never refused here: the guard checks
the token first and asks this table only about failures.

The table holds at most `max_addresses` entries: under a flood of distinct addresses the one
that failed longest ago is forgotten first. IPv6 clients are counted by their /64, which one
host usually owns whole (otherwise each of its 2^64 addresses would get ten tries of its own).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0
MAX_FAILURES = 10
MAX_ADDRESSES = 4096


def address_key(address: str) -> str:
    """What failures are counted under: the address, or the /64 of an IPv6 one."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class FailureLimiter:
    def __init__(
        self,
        *,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW_SECONDS,
        max_addresses: int = MAX_ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._max_failures = max_failures
        self._window = window
        self._max_addresses = max_addresses
        # Least recently failed first: the order in which addresses are forgotten.
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._failures)

    def record(self, address: str) -> None:
        """Count one refused token from `address`."""
        key = address_key(address)
        failures = self._failures.get(key)
        if failures is None:
            failures = self._failures[key] = deque(maxlen=self._max_failures)
        else:
            self._failures.move_to_end(key)
        failures.append(self._clock())
        while len(self._failures) > self._max_addresses:
            self._failures.popitem(last=False)

    def retry_after(self, address: str) -> int | None:
        """Seconds until `address` may try a token again, or None when it may now."""
        key = address_key(address)
        failures = self._failures.get(key)
        if failures is None:
            return None
        now = self._clock()
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        if len(failures) < self._max_failures:
            return None
        return max(1, math.ceil(failures[0] + self._window - now))
