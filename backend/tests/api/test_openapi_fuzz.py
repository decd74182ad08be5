"""Schemathesis over the live server's own OpenAPI document: client input never makes a 5xx,
and every answer is one the document describes.

Every operation gets generated requests (valid and invalid by the schema); each answer must be
below 500, have a documented status, content type, headers and body shape, and every 4xx must
carry the error envelope a person can act on. Not checked: that every schema-valid request is
accepted, since some rules only the server can know (a path must exist, a cursor must be one
it gave out).
"""

from __future__ import annotations

from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fixtures.server import Server

EXAMPLES_PER_OPERATION = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def check_answer(case: Any, response: Any) -> None:
    where = f"{case.method} {case.formatted_path} {case.query or ''} {case.body!r:.200}"
    assert response.status_code < 500, f"{where} -> {response.status_code} {response.text[:500]}"
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400:
        error = response.json().get("error")
        assert isinstance(error, dict), f"{where}: no error envelope in {response.text[:300]}"
        assert error.get("code"), f"{where}: no error code in {error}"
        assert error.get("message"), f"{where}: no error message in {error}"


def test_generated_requests_never_make_a_server_error(live_server: Server) -> None:
    raw = httpx.get(f"{live_server.url}/openapi.json", timeout=10).json()
    # Something to aim at, so operations on existing rows are exercised too (not the folder
    # that holds LOKI_HOME: that is refused as a project).
    target = live_server.home.parent / "fuzz-target"
    target.mkdir()
    created = httpx.post(f"{live_server.url}/api/projects", json={"path": str(target)})
    assert created.status_code == 201, created.text
    schema = schemathesis.openapi.from_dict(raw)
    # Streams never end, so they cannot be called like the rest; their parameter validation
    # is tested in tests/realtime/test_log_stream.py.
    operations = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())
        if not operation.path.endswith("/stream")
    ]
    assert len(operations) >= 20
    calls = 0
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def exercise(case: Any) -> None:
            nonlocal calls
            calls += 1
            check_answer(case, case.call(base_url=live_server.url, timeout=10))

        exercise()
    assert calls >= len(operations) * 5
