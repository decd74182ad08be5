"""The OpenAPI document, with the answers every operation that takes a body can give.

Routes list their own domain errors; what any body can meet before a route runs (malformed JSON,
a body over the limit, a body that is not JSON) is added here once for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from loki_dashboard.errors import ErrorEnvelope

BODY_ERRORS = {
    "400": "malformed_json: the body is not valid JSON",
    "413": "payload_too_large: the body is over LOKI_MAX_BODY_BYTES",
    "415": "unsupported_media_type: the body is not application/json",
}


def document_body_errors(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """A replacement for `app.openapi` that adds BODY_ERRORS to each operation with a body."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        # Every route lists its domain errors with this model, so the schema holds it already.
        assert ErrorEnvelope.__name__ in schema["components"]["schemas"]
        envelope = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if "requestBody" not in operation:
                    continue
                responses = operation.setdefault("responses", {})
                for status, description in BODY_ERRORS.items():
                    responses.setdefault(status, {"description": description, "content": envelope})
        app.openapi_schema = schema
        return schema

    return openapi
