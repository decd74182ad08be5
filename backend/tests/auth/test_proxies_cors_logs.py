"""Trusted proxies, CORS for configured origins only, and tokens masked in every log line."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from loki_dashboard.app import create_app
from loki_dashboard.auth import log_redaction
from loki_dashboard.auth.client_address import client_address
from loki_dashboard.config import ConfigError, load_settings

TOKEN = "loki_" + "s" * 43


def scope(peer: str, forwarded: str | None = None) -> dict[str, object]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"type": "http", "client": (peer, 1), "headers": headers}


class TestClientAddress:
    def test_forwarded_for_counts_only_from_a_trusted_proxy(self) -> None:
        trusted = ["10.0.0.0/8"]
        assert client_address(scope("203.0.113.9", "127.0.0.1"), trusted) == "203.0.113.9"
        assert client_address(scope("10.0.0.2", "198.51.100.7"), trusted) == "198.51.100.7"
        # read from the right: a spoofed left-most hop is ignored
        chain = "127.0.0.1, 198.51.100.7, 10.0.0.3"
        assert client_address(scope("10.0.0.2", chain), trusted) == "198.51.100.7"
        assert client_address(scope("10.0.0.2", "1.2.3.4"), []) == "10.0.0.2"


class TestSettings:
    def test_lists_from_the_environment_and_bad_values_refused(
        self, loki_home: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("LOKI_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1")
        monkeypatch.setenv("LOKI_CORS_ORIGINS", "https://ops.example.com")
        settings = load_settings(home=str(loki_home))
        assert settings.trusted_proxies == ["10.0.0.0/8", "192.168.1.1"]
        assert settings.cors_origins == ["https://ops.example.com"]
        monkeypatch.setenv("LOKI_CORS_ORIGINS", "*")
        with pytest.raises(ConfigError, match="LOKI_CORS_ORIGINS"):
            load_settings(home=str(loki_home))
        monkeypatch.setenv("LOKI_CORS_ORIGINS", "")
        monkeypatch.setenv("LOKI_TRUSTED_PROXIES", "not-an-address")
        with pytest.raises(ConfigError, match="LOKI_TRUSTED_PROXIES"):
            load_settings(home=str(loki_home))


@pytest.fixture
async def cors_app(loki_home: Path, database_url: str) -> AsyncIterator[FastAPI]:
    settings = load_settings(
        home=str(loki_home),
        database_url=database_url,
        token=TOKEN,
        cors_origins=["https://ops.example.com"],
        trusted_proxies=["10.0.0.0/8"],
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def request(app: FastAPI, method: str, url: str, **kwargs: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=("10.0.0.2", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="https://dash.example.com") as c:
        return await c.request(method, url, **kwargs)  # type: ignore[arg-type]


async def test_cors_only_for_configured_origins(cors_app: FastAPI) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    allowed = await request(cors_app, "OPTIONS", "/api/projects",
                            headers={"Origin": "https://ops.example.com", **preflight})  # fmt: skip
    assert allowed.headers["access-control-allow-origin"] == "https://ops.example.com"
    other = await request(cors_app, "OPTIONS", "/api/projects",
                          headers={"Origin": "https://evil.example", **preflight})  # fmt: skip
    assert "access-control-allow-origin" not in other.headers
    read = await request(cors_app, "GET", "/api/projects",
                         headers={"Origin": "https://ops.example.com",
                                  "Authorization": f"Bearer {TOKEN}"})  # fmt: skip
    assert read.status_code == 200
    assert read.headers["access-control-allow-origin"] != "*"


async def test_rate_limit_counts_each_client_behind_a_trusted_proxy(cors_app: FastAPI) -> None:
    wrong = {"Authorization": "Bearer loki_wrong"}
    for _ in range(10):
        await request(cors_app, "GET", "/api/projects",
                      headers={**wrong, "X-Forwarded-For": "198.51.100.7"})  # fmt: skip
    blocked = await request(cors_app, "GET", "/api/projects",
                            headers={**wrong, "X-Forwarded-For": "198.51.100.7"})  # fmt: skip
    assert blocked.status_code == 429
    other_client = await request(cors_app, "GET", "/api/projects",
                                 headers={"Authorization": f"Bearer {TOKEN}",
                                          "X-Forwarded-For": "198.51.100.8"})  # fmt: skip
    assert other_client.status_code == 200


def test_tokens_are_masked_in_log_records(caplog: pytest.LogCaptureFixture) -> None:
    log_redaction.install()
    logger = logging.getLogger("loki_dashboard.test")
    with caplog.at_level(logging.INFO):
        logger.info("request with Authorization: Bearer %s", TOKEN)
        logger.info(f"inline {TOKEN}")
    assert TOKEN not in caplog.text
    assert caplog.text.count("loki_[REDACTED]") == 2
