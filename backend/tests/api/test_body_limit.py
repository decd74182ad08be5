"""LOKI_MAX_BODY_BYTES sets the largest body accepted; it cannot go below what a person sends."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from loki_dashboard.config import ConfigError, Settings, load_settings

LIMIT = 2 * 1024 * 1024


@pytest.fixture
def settings(loki_home: Path, database_url: str) -> Settings:
    return load_settings(home=str(loki_home), database_url=database_url, max_body_bytes=LIMIT)


async def test_the_configured_limit_is_the_one_answered(client: httpx.AsyncClient) -> None:
    body = b'{"path": "' + b"a" * LIMIT + b'"}'
    response = await client.post(
        "/api/projects", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert f"at most {LIMIT:,} bytes (LOKI_MAX_BODY_BYTES)" in response.json()["error"]["message"]


def test_a_limit_below_2_mib_is_refused_at_start(
    loki_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOKI_MAX_BODY_BYTES", "1000")
    with pytest.raises(ConfigError, match="LOKI_MAX_BODY_BYTES"):
        load_settings(home=str(loki_home))
