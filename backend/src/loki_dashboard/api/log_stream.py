"""`GET /api/logs/stream`: live log lines as server-sent events, resumable by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from loki_dashboard.api.log_filter import LogFilterDep
from loki_dashboard.errors import InvalidInput, error_responses
from loki_dashboard.realtime.log_stream import stream_logs

router = APIRouter(prefix="/logs", tags=["logs"])


def _last_event_id(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInput(
            "Last-Event-ID must be the id of a log line you received",
            details=[{"field": "Last-Event-ID"}],
        )
    return int(raw)


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **error_responses(InvalidInput)},
)
async def stream_log_lines(
    request: Request,
    where: LogFilterDep,
    after: Annotated[
        int | None, Query(ge=0, le=2**63 - 1, description="Start after this log id")
    ] = None,
    last_event_id: Annotated[str | None, Header(max_length=32)] = None,
) -> StreamingResponse:
    """Stream new lines, filtered as GET /api/logs; Last-Event-ID resumes right after it."""
    resume = _last_event_id(last_event_id)
    state = request.app.state
    messages = stream_logs(
        state.database,
        state.hub,
        where,
        after=resume if resume is not None else after,
        keepalive_seconds=state.settings.ws_heartbeat_seconds,
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(messages, media_type="text/event-stream", headers=headers)
