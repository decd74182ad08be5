"""`GET /api/logs/stream`: live log lines as server-sent events, resumable by id.

The stream lives in `realtime/log_stream.py`; here it is admitted (503 over
`LOKI_SSE_MAX_CONNECTIONS`) and tied to the token that opened it, so it ends when that token is
revoked or expires.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from loki_dashboard.api.load_shed import shed_response
from loki_dashboard.api.log_filter import LogFilterDep
from loki_dashboard.errors import ErrorEnvelope, InvalidInput, error_responses
from loki_dashboard.realtime.log_stream import LogFollower, stream_logs

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
    responses={
        200: {"content": {"text/event-stream": {}}},
        503: {"model": ErrorEnvelope, "description": "too many streams (see Retry-After)"},
        **error_responses(InvalidInput),
    },
)
async def stream_log_lines(
    request: Request,
    where: LogFilterDep,
    after: Annotated[
        int | None, Query(ge=0, le=2**63 - 1, description="Start after this log id")
    ] = None,
    last_event_id: Annotated[str | None, Header(max_length=32)] = None,
) -> Response:
    """Stream new lines, filtered as GET /api/logs; Last-Event-ID resumes right after it."""
    resume = _last_event_id(last_event_id)
    state = request.app.state
    limit = state.settings.sse_max_connections
    if len(state.hub.followers) >= limit:
        return shed_response("sse_limit", f"{limit} log streams are open, the limit; retry later")
    follower = LogFollower(where)
    # Synchronously, before the answer starts: the cap counts this stream at once.
    unfollow = state.hub.follow_logs(follower)
    token_id = getattr(request.state, "token_id", None)
    release = state.token_watch.hold(token_id, follower.end) if token_id else None

    def finished() -> None:
        unfollow()
        if release is not None:
            release()

    messages = stream_logs(
        state.database,
        follower,
        after=resume if resume is not None else after,
        keepalive_seconds=state.settings.ws_heartbeat_seconds,
        finished=finished,
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    # The background task also runs when the client left before the stream began.
    return StreamingResponse(
        messages,
        media_type="text/event-stream",
        headers=headers,
        background=BackgroundTask(finished),
    )
