"""Database tokens: created once, hashed, scoped, expiring, revocable at once; CLI and API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi import FastAPI

from loki_dashboard.cli import cli
from loki_dashboard.db.types import utcnow
from loki_dashboard.models import ApiToken
from loki_dashboard.services.api_tokens import hash_token
from tests.fixtures.factories import insert

REMOTE = ("10.1.2.3", 50000)


@pytest.fixture
async def remote(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=REMOTE)
    async with httpx.AsyncClient(transport=transport, base_url="http://10.0.0.1:57374") as c:
        yield c


async def cli_run(database_url: str, *args: str) -> tuple[int, str]:
    """The CLI runs its own event loop, so it runs in a thread beside the test's."""

    def invoke() -> tuple[int, str]:
        result = CliRunner().invoke(cli, list(args), env={"LOKI_DATABASE_URL": database_url})
        return result.exit_code, result.output

    return await asyncio.to_thread(invoke)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_cli_token_scopes_and_revocation(
    remote: httpx.AsyncClient, database_url: str, loki_home: Path
) -> None:
    code, out = await cli_run(database_url, "dashboard", "token", "generate", "--name", "ci",
                        "--scope", "control", "--expires", "30d")  # fmt: skip
    assert code == 0, out
    token = out.strip()
    assert token.startswith("loki_")
    assert len(token) > 40
    listed = json.loads((await cli_run(database_url, "dashboard", "token", "list", "--json"))[1])
    assert [(t["name"], t["scope"]) for t in listed] == [("ci", "control")]
    assert token not in json.dumps(listed)
    assert listed[0]["expires_at"] is not None

    assert (await remote.get("/api/projects", headers=bearer(token))).status_code == 200
    learning = {"type": "patterns", "description": "remote write"}
    wrote = await remote.post("/api/learnings", json=learning, headers=bearer(token))
    assert wrote.status_code == 201
    admin_only = await remote.get("/api/tokens", headers=bearer(token))
    assert admin_only.status_code == 403
    assert "needs admin" in admin_only.json()["error"]["message"]

    code, out = await cli_run(database_url, "dashboard", "token", "revoke", listed[0]["id"])
    assert code == 0
    assert (await remote.get("/api/projects", headers=bearer(token))).status_code == 401
    assert not any(token in p.read_text(errors="ignore") for p in loki_home.rglob("*.log"))


async def test_read_scope_expired_and_wrong_tokens(app: FastAPI, remote: httpx.AsyncClient) -> None:
    reader, expired = (
        "loki_reader_token_for_tests_000000000000000",
        "loki_expired_token_0000000000000000000",
    )
    await insert(
        app,
        ApiToken(name="r", token_hash=hash_token(reader), scope="read"),
        ApiToken(name="e", token_hash=hash_token(expired), scope="admin",
                 expires_at=utcnow() - timedelta(seconds=1)),
    )  # fmt: skip
    assert (await remote.get("/api/projects", headers=bearer(reader))).status_code == 200
    denied = await remote.post(
        "/api/learnings", json={"type": "patterns", "description": "x"}, headers=bearer(reader)
    )
    assert denied.status_code == 403
    assert (await remote.get("/api/projects", headers=bearer(expired))).status_code == 401
    assert (await remote.get("/api/projects", headers=bearer("loki_nope"))).status_code == 401


async def test_token_api_for_the_local_user(client: httpx.AsyncClient) -> None:
    created = await client.post("/api/tokens", json={"name": "ui", "scope": "admin"})
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("loki_")
    listed = (await client.get("/api/tokens")).json()
    assert [t["name"] for t in listed] == ["ui"]
    assert "token" not in listed[0]
    revoked = await client.delete(f"/api/tokens/{body['id']}")
    assert revoked.json()["revoked_at"] is not None
    unscoped = await client.post("/api/tokens", json={"name": "default"})
    assert unscoped.json()["scope"] == "read"
    assert (
        await client.post("/api/tokens", json={"name": "x", "scope": "root"})
    ).status_code == 422
