"""A wrong method is 405 with every method the path takes in `Allow`; an unknown path 404;
malformed JSON 400, documented for every operation that takes a body."""

from __future__ import annotations

import uuid

import httpx
import pytest

SOME_ID = str(uuid.uuid4())


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/projects/active", "GET"),
        ("POST", f"/api/projects/{SOME_ID}", "DELETE, GET, PUT"),
        ("PATCH", "/api/tasks/board", "GET"),
        ("GET", f"/api/sessions/{SOME_ID}/stop", "POST"),
        ("PUT", "/api/projects", "GET, POST"),
        ("POST", "/health", "GET"),
    ],
)
async def test_a_wrong_method_is_405_with_the_whole_allow_list(
    client: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow
    error = response.json()["error"]
    assert error["code"] == "method_not_allowed"
    assert allow in error["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/nothing"), ("GET", "/api/projects/not-an-id"), ("DELETE", "/api/x/y")],
)
async def test_an_unknown_path_is_404(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_malformed_json_is_400_saying_where(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/projects", content=b'{"path": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "malformed_json"
    assert "not valid JSON" in error["message"]
    assert "character 9" in error["message"]


async def test_the_openapi_document_lists_body_errors_on_operations_with_a_body(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    with_body = [
        operation
        for item in paths.values()
        for operation in item.values()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 8
    for operation in with_body:
        assert {"400", "413", "415"} <= operation["responses"].keys(), operation["operationId"]
    assert "400" not in paths["/api/status"]["get"]["responses"]
