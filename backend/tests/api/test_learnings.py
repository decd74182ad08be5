from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from loki_dashboard.realtime.events import DomainEvent
from tests.fixtures.factories import create_project


async def add(client: httpx.AsyncClient, **fields: object) -> httpx.Response:
    return await client.post("/api/learnings", json={"type": "patterns", **fields})


async def test_add_is_idempotent_by_content(client: httpx.AsyncClient) -> None:
    first = await add(client, description="Run migrations before tests", category="db")
    again = await add(client, description="Run migrations before tests", category="db")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    other = await add(client, description="Run migrations before tests", category="ci")
    assert other.status_code == 201


async def test_a_new_learning_is_published_once(
    client: httpx.AsyncClient, project_dir: Path, events: list[DomainEvent]
) -> None:
    project = (await create_project(client, project_dir))["id"]
    first = await add(client, description="Pin the toolchain", project_id=project)
    await add(client, description="Pin the toolchain", project_id=project)  # known: no event
    created = [e for e in events if e.type.startswith("learning:")]
    assert [(e.type, e.data["id"], str(e.project_id)) for e in created] == [
        ("learning:created", first.json()["id"], project)
    ]
    assert created[0].data == first.json()


async def test_list_filters_and_pages(client: httpx.AsyncClient, project_dir: Path) -> None:
    project = (await create_project(client, project_dir))["id"]
    await add(client, description="a", category="db", project_id=project)
    await add(client, description="b", type="mistakes")
    await add(client, description="c", type="successes", category="db")
    listed = (await client.get("/api/learnings", params={"category": "db"})).json()
    assert sorted(item["description"] for item in listed["items"]) == ["a", "c"]
    mistakes = (await client.get("/api/learnings", params={"type": "mistakes"})).json()
    assert [item["description"] for item in mistakes["items"]] == ["b"]
    mine = (await client.get("/api/learnings", params={"project_id": project})).json()
    assert [item["description"] for item in mine["items"]] == ["a"]
    first = (await client.get("/api/learnings", params={"limit": 2})).json()
    rest = (await client.get("/api/learnings", params={"cursor": first["next_cursor"]})).json()
    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 3


async def test_search_is_ranked_and_safe(client: httpx.AsyncClient) -> None:
    await add(client, description="Flaky websocket reconnect loop fixed with backoff")
    await add(client, description="Websocket websocket websocket reconnect backoff jitter tuning")
    await add(client, description="Database index on task status", type="mistakes")
    hits = (await client.get("/api/learnings/search", params={"q": "websocket reconnect"})).json()
    assert len(hits) == 2
    assert "jitter" in hits[0]["description"]
    assert hits[0]["score"] >= hits[1]["score"]
    typed = await client.get("/api/learnings/search", params={"q": "index", "type": "mistakes"})
    assert [h["description"] for h in typed.json()] == ["Database index on task status"]
    for nasty in ('"unbalanced', "NEAR(a b", "*", "a AND OR", "-x", "()"):
        response = await client.get("/api/learnings/search", params={"q": nasty})
        assert response.status_code == 200, nasty
        assert isinstance(response.json(), list)
    assert (await client.get("/api/learnings/search", params={"q": ""})).status_code == 422


async def test_bad_input(client: httpx.AsyncClient) -> None:
    assert (await add(client, description="")).status_code == 422
    assert (
        await client.post("/api/learnings", json={"type": "x", "description": "d"})
    ).status_code == 422
    unknown = await add(client, description="d", project_id=str(uuid.uuid4()))
    assert unknown.status_code == 404
