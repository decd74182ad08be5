"""The WebSocket endpoint; the conversation itself lives in `realtime/protocol.py`.

Here a connection is admitted (closed with 1013, "try again later", over
`LOKI_WS_MAX_CONNECTIONS`) and tied to the token that opened it: revoked or expired, the
connection is closed with 1008.
"""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from loki_dashboard.realtime.protocol import Conversation
from loki_dashboard.telemetry.metrics import LOAD_SHED

router = APIRouter()

CLOSE_TRY_LATER = 1013
CLOSE_POLICY = 1008


@router.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    """Live events: subscribe to channels, resume with `since`."""
    state = websocket.app.state
    # A browser offers its token as the subprotocol pair "bearer, <token>": answer "bearer".
    offered = websocket.headers.get("sec-websocket-protocol", "")
    await websocket.accept(subprotocol="bearer" if offered.lower().startswith("bearer") else None)
    limit = state.settings.ws_max_connections
    if len(state.hub.clients) >= limit:
        LOAD_SHED.labels("ws_limit").inc()
        await websocket.close(CLOSE_TRY_LATER, f"connection limit reached ({limit}); retry later")
        return
    conversation = Conversation(
        websocket, state.hub, state.database.read_sessions, state.settings.ws_client_queue
    )
    token_id = getattr(websocket.state, "token_id", None)
    release = None
    if token_id is not None:
        client = conversation.client
        release = state.token_watch.hold(token_id, lambda why: client.end(CLOSE_POLICY, why))
    try:
        await conversation.run()
    finally:
        if release is not None:
            release()
