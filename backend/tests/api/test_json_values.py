"""Free-form JSON from a request (a project's config, a learning's context, task metadata) is
refused at the edge, naming the field, when no store or client of ours could hold it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures.factories import create_project

BIG = 2**64


@pytest.fixture
async def project(client: httpx.AsyncClient, project_dir: Path) -> dict[str, Any]:
    return await create_project(client, project_dir)


def refusal(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    return error["details"][0]["field"], error["details"][0]["message"]


class TestIntegers:
    async def test_beyond_64_bits_is_422_naming_where(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        url = f"/api/projects/{project['id']}"
        field, message = refusal(await client.put(url, json={"config": {"a": [1, BIG]}}))
        assert field == "config"
        assert "config.a[1]" in message
        assert "64 bits" in message
        assert (await client.get(url)).json()["config"] is None

    async def test_the_64_bit_extremes_are_stored_exactly(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        config = {"max": 2**63 - 1, "min": -(2**63)}
        url = f"/api/projects/{project['id']}"
        assert (await client.put(url, json={"config": config})).status_code == 200
        assert (await client.get(url)).json()["config"] == config

    async def test_a_learnings_context_and_a_tasks_metadata_too(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        learning = {"type": "patterns", "description": "d", "context": {"n": -BIG}}
        assert refusal(await client.post("/api/learnings", json=learning))[0] == "context"
        task = {"project_id": project["id"], "title": "t", "metadata": {"n": BIG}}
        assert refusal(await client.post("/api/tasks", json=task))[0] == "metadata"
        session = {"project_id": project["id"], "start": False, "config": {"n": BIG}}
        assert refusal(await client.post("/api/sessions", json=session))[0] == "config"


class TestOtherValues:
    async def test_nan_and_infinity_are_422(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        url = f"/api/projects/{project['id']}"
        for value in (b"NaN", b"Infinity", b"-Infinity"):
            body = b'{"config": {"ratio": ' + value + b"}}"
            response = await client.put(
                url, content=body, headers={"content-type": "application/json"}
            )
            field, message = refusal(response)
            assert field == "config"
            assert "config.ratio is not a finite number" in message

    async def test_deep_nesting_is_422(
        self, client: httpx.AsyncClient, project: dict[str, Any]
    ) -> None:
        deep: dict[str, Any] = {}
        inner = deep
        for _ in range(40):
            inner["x"] = {}
            inner = inner["x"]
        field, message = refusal(
            await client.put(f"/api/projects/{project['id']}", json={"config": deep})
        )
        assert field == "config"
        assert "deeper than 32" in message
