"""A stopped session that nothing answers for ends after the grace; an admin can end any."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from loki_dashboard.realtime.events import DomainEvent
from loki_dashboard.services import control as control_service
from loki_dashboard.services import session_end
from tests.fixtures.factories import create_project


@pytest.fixture(autouse=True)
def short_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(control_service, "STOP_GRACE_SECONDS", 0.2)
    monkeypatch.setattr(session_end, "MARGIN_SECONDS", 0.1)


@pytest.fixture
async def project(client: httpx.AsyncClient, project_dir: Path) -> dict[str, Any]:
    (project_dir / ".loki").mkdir()
    return await create_project(client, project_dir)


async def record(client: httpx.AsyncClient, project: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(
        "/api/sessions", json={"project_id": project["id"], "start": False}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def wait_for(events: list[DomainEvent], kind: str, **data: Any) -> DomainEvent:
    for _ in range(600):
        for event in events:
            if event.type == kind and all(event.data.get(k) == v for k, v in data.items()):
                return event
        await asyncio.sleep(0.02)
    raise AssertionError(f"no {kind} event; saw {[e.type for e in events]}")


@pytest.fixture
async def remote(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://10.0.0.1:57374") as c:
        yield c


async def token(client: httpx.AsyncClient, scope: str) -> dict[str, str]:
    response = await client.post("/api/tokens", json={"name": scope, "scope": scope})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


class TestStopWithNothingToAnswer:
    async def test_ends_after_the_grace_and_a_new_session_can_start(
        self, client: httpx.AsyncClient, project: dict[str, Any], events: list[DomainEvent]
    ) -> None:
        run = await record(client, project)
        stopped = await client.post(f"/api/sessions/{run['id']}/stop")
        assert stopped.status_code == 200
        assert (await record_conflict(client, project)) == run["id"]
        ended = await wait_for(events, "session:stopped", id=run["id"])
        assert ended.data["status"] == "stopped"
        assert ended.data["ended_at"] is not None
        logs = (await client.get("/api/logs", params={"session_id": run["id"]})).json()["items"]
        assert any("no process and no run answered" in line["message"] for line in logs)
        assert (await record(client, project))["status"] == "starting"

    async def test_a_session_the_run_took_meanwhile_is_left_to_it(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        run = await record(client, project)
        await client.post(f"/api/sessions/{run['id']}/stop")
        # Something else (here an admin) ended it first: the grace check writes nothing.
        assert (await client.post(f"/api/sessions/{run['id']}/end")).status_code == 200
        for _ in range(600):
            if not session_end._pending:
                break
            await asyncio.sleep(0.02)
        assert not session_end._pending
        logs = (await client.get("/api/logs", params={"session_id": run["id"]})).json()["items"]
        assert not any("no process and no run answered" in line["message"] for line in logs)


async def record_conflict(client: httpx.AsyncClient, project: dict[str, Any]) -> str:
    """While stopping, a new session is refused naming the stopping one."""
    response = await client.post(
        "/api/sessions", json={"project_id": project["id"], "start": False}
    )
    assert response.status_code == 409
    session_id: str = response.json()["error"]["details"]["session_id"]
    return session_id


class TestAdminEnd:
    async def test_local_user_ends_a_live_session_and_it_is_audited(
        self, client: httpx.AsyncClient, project: dict[str, Any], events: list[DomainEvent]
    ) -> None:
        run = await record(client, project)
        response = await client.post(f"/api/sessions/{run['id']}/end")
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "stopped"
        await wait_for(events, "session:stopped", id=run["id"])
        audit = (await client.get("/api/audit", params={"action": "session.end"})).json()
        assert [(e["target"], e["actor"]) for e in audit] == [(run["id"], "local")]
        again = await client.post(f"/api/sessions/{run['id']}/end")
        assert again.status_code == 409
        assert "already ended" in again.json()["error"]["message"]

    async def test_a_control_token_is_refused_and_an_admin_token_may(
        self,
        client: httpx.AsyncClient,
        remote: httpx.AsyncClient,
        project: dict[str, Any],
    ) -> None:
        run = await record(client, project)
        refused = await remote.post(
            f"/api/sessions/{run['id']}/end", headers=await token(client, "control")
        )
        assert refused.status_code == 403
        assert "admin" in refused.json()["error"]["message"]
        assert (await client.get(f"/api/sessions/{run['id']}")).json()["status"] == "starting"
        done = await remote.post(
            f"/api/sessions/{run['id']}/end", headers=await token(client, "admin")
        )
        assert done.status_code == 200

    async def test_unknown_session_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/sessions/00000000-0000-0000-0000-000000000000/end")
        assert response.status_code == 404
