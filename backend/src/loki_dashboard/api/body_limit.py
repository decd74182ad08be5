"""Refuse request bodies over the configured limit before they are buffered.

A declared `Content-Length` over the limit is answered 413 at once, without reading a byte of
the body; a body without one (chunked) is counted as it streams in, and the read that crosses
the limit raises a 413 instead of handing the route another chunk. Nothing ever holds more than
the limit in memory, whatever a client sends. The connection stays open: uvicorn reads what
follows of the body and drops it, so a client that sends the whole body before reading (most
do) gets the 413 and its message rather than a reset connection.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loki_dashboard.errors import error_response


class BodyTooLarge(HTTPException):
    """An HTTP exception, so that a route reading its body passes it on as a 413 (FastAPI turns
    any other error raised while reading a body into a 400)."""

    def __init__(self, limit: int, declared: int | None = None) -> None:
        size = f"declares {declared:,} bytes" if declared is not None else "is larger than that"
        super().__init__(
            413,
            f"the request body {size}; this server accepts at most {limit:,} bytes "
            "(LOKI_MAX_BODY_BYTES)",
        )


class LimitRequestBody:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            refusal = BodyTooLarge(self.max_bytes, declared)
            await _answer(refusal, scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as refusal:  # read outside a route (routes answer it themselves)
            if started:
                raise
            await _answer(refusal, scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


async def _answer(refusal: BodyTooLarge, scope: Scope, receive: Receive, send: Send) -> None:
    await error_response(413, "payload_too_large", refusal.detail)(scope, receive, send)
