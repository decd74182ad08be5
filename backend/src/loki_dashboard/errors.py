"""The domain error hierarchy and the one handler that renders every error envelope.

Every 4xx/5xx leaves the server as `{"error": {"code", "message", "details"}}`: a stable machine
code, a sentence a person can act on, and optional structured details (bad fields, ids, …).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class DashboardError(Exception):
    """Base of every expected failure; subclasses fix the status code and machine code."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Forbidden(DashboardError):
    """The caller's token scope is too small for this particular change."""

    status_code = 403
    code = "forbidden"


class NotFound(DashboardError):
    status_code = 404
    code = "not_found"


class Conflict(DashboardError):
    status_code = 409
    code = "conflict"


class InvalidInput(DashboardError):
    """Well-formed input that breaks a rule only the server can check (path, parent, …)."""

    status_code = 422
    code = "invalid_input"


class FailedDependency(DashboardError):
    """Something outside the dashboard that the request needs is missing (the runner command)."""

    status_code = 424
    code = "failed_dependency"


class PayloadTooLarge(DashboardError):
    status_code = 413
    code = "payload_too_large"


class ServiceUnavailable(DashboardError):
    """Something the request needs is busy right now (a run's queue lock); retry shortly."""

    status_code = 503
    code = "unavailable"


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorEnvelope(BaseModel):
    """The shape of every error response."""

    error: ErrorBody


def error_response(status_code: int, code: str, message: str, details: Any = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(status_code=status_code, content=body)


def error_responses(*errors: type[DashboardError]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: documents each error it can answer with the envelope model."""
    return {e.status_code: {"model": ErrorEnvelope, "description": e.code} for e in errors}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


async def _dashboard_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DashboardError)
    return error_response(exc.status_code, exc.code, exc.message, exc.details)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    malformed = next((err for err in exc.errors() if err.get("type") == "json_invalid"), None)
    if malformed is not None:  # not a wrong value but no JSON at all: the request is bad
        position = next((p for p in malformed.get("loc", ())[1:] if isinstance(p, int)), None)
        reason = str((malformed.get("ctx") or {}).get("error", "invalid JSON"))
        where = f" at character {position}" if position is not None else ""
        return error_response(
            400, "malformed_json", f"the request body is not valid JSON: {reason}{where}"
        )
    fields = [
        {"field": _field_name(tuple(err.get("loc", ()))), "message": str(err.get("msg", ""))}
        for err in exc.errors()
    ]
    names = ", ".join(dict.fromkeys(f["field"] for f in fields))
    return error_response(422, "validation_error", f"invalid input: {names}", fields)


_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    401: "unauthorized",
    403: "forbidden",
    413: "payload_too_large",
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in (404, 405):
        return _no_route(request)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    response = error_response(exc.status_code, code, str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _no_route(request: Request) -> JSONResponse:
    """405 naming every method the path takes, or 404 when no route has the path at all."""
    from loki_dashboard.api.methods import allowed_methods  # the API imports this module

    allowed = allowed_methods(request.app.routes, request.url.path)
    if not allowed or request.method in allowed:
        return error_response(404, "not_found", f"nothing at {request.url.path}")
    listed = ", ".join(sorted(allowed))
    response = error_response(
        405, "method_not_allowed", f"{request.method} is not allowed here; use {listed}"
    )
    response.headers["allow"] = listed
    return response


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "the server hit an unexpected error; see its log")


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DashboardError, _dashboard_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
