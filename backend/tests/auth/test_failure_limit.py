"""Slowing down token guessing without locking anyone out: only presented tokens that fail are
counted, a valid token always passes, and the table of addresses stays bounded."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import websockets

from loki_dashboard.auth.failure_limit import FailureLimiter, address_key
from tests.fixtures.server import running_server
from tests.realtime.ws_client import ws_url

ADMIN = "loki_" + "r" * 43
GUARDED = {
    "LOKI_DASHBOARD_TOKEN": ADMIN,
    "LOKI_REQUIRE_TOKEN": "true",  # loopback needs tokens too, so this machine is "remote"
    "LOKI_TRUSTED_PROXIES": "127.0.0.1",  # and X-Forwarded-For names the client
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_no_token_never_locks_out_and_wrong_tokens_do_but_never_a_valid_one(
    loki_home: Path, database_url: str
) -> None:
    with running_server(loki_home, database_url, **GUARDED) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            created = await http.post("/api/tokens", json={"name": "reader"}, headers=bearer(ADMIN))
            reader = created.json()["token"]
            # Requests with no token at all: 401 every time, never counted.
            anonymous = [(await http.get("/api/projects")).status_code for _ in range(30)]
            assert anonymous == [401] * 30
            with pytest.raises(websockets.InvalidStatus):
                await websockets.connect(ws_url(server.url), open_timeout=10)
            assert (await http.get("/api/projects", headers=bearer(ADMIN))).status_code == 200
            assert (await http.get("/api/projects", headers=bearer(reader))).status_code == 200

            # Wrong tokens: ten 401s, then 429 with Retry-After for as long as they go on.
            wrong = [
                await http.get("/api/projects", headers=bearer("loki_guess" + str(n)))
                for n in range(12)
            ]
            assert [r.status_code for r in wrong] == [401] * 10 + [429] * 2
            assert 1 <= int(wrong[-1].headers["retry-after"]) <= 60
            assert "Retry-After" not in wrong[0].headers
            # The locked-out address still gets in with a valid token, of either kind.
            assert (await http.get("/api/projects", headers=bearer(ADMIN))).status_code == 200
            assert (await http.get("/api/projects", headers=bearer(reader))).status_code == 200
            ws = await websockets.connect(
                ws_url(server.url),
                subprotocols=["bearer", reader],  # type: ignore[list-item]
                open_timeout=10,
            )
            await ws.close()
            # Another client behind the same proxy is not locked out by this one.
            elsewhere = {"X-Forwarded-For": "203.0.113.9", **bearer("loki_guess_x")}
            assert (await http.get("/api/projects", headers=elsewhere)).status_code == 401


async def test_a_flood_of_guesses_from_many_addresses_is_401_and_locks_out_nobody(
    loki_home: Path, database_url: str
) -> None:
    with running_server(loki_home, database_url, **GUARDED) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:

            async def guess(n: int) -> int:
                headers = {"X-Forwarded-For": f"198.51.{n // 250}.{n % 250}", **bearer("x" * 9)}
                return (await http.get("/api/projects", headers=headers)).status_code

            codes = await asyncio.gather(*(guess(n) for n in range(500)))
            assert set(codes) == {401}  # one failure each: nobody reached the limit
            assert (await http.get("/api/projects", headers=bearer(ADMIN))).status_code == 200


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_table_stays_bounded_under_a_flood_of_distinct_addresses() -> None:
    limiter = FailureLimiter(max_addresses=1000)
    for n in range(50_000):
        limiter.record(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
    assert len(limiter) == 1000
    # The newest stay, the oldest went first.
    assert limiter.retry_after("10.0.0.0") is None
    for _ in range(9):
        limiter.record("10.0.195.79")
    assert limiter.retry_after("10.0.195.79") is not None


def test_ipv6_clients_are_counted_by_their_64_and_failures_expire() -> None:
    clock = FakeClock()
    limiter = FailureLimiter(clock=clock)
    for n in range(10):
        limiter.record(f"2001:db8:1:2::{n + 1:x}")
    assert limiter.retry_after("2001:db8:1:2:ffff::1") == 60
    assert limiter.retry_after("2001:db8:1:3::1") is None
    assert address_key("::ffff:192.0.2.7") == "192.0.2.7"
    clock.now += 30
    assert limiter.retry_after("2001:db8:1:2::1") == 30
    clock.now += 31
    assert limiter.retry_after("2001:db8:1:2::1") is None
    assert len(limiter) == 0  # an address whose failures all expired is forgotten
