"""The WebSocket endpoint; the conversation itself lives in `realtime/protocol.py`."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from loki_dashboard.realtime.protocol import Conversation

router = APIRouter()


@router.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    """Live events: subscribe to channels, resume with `since`."""
    state = websocket.app.state
    # A browser offers its token as the subprotocol pair "bearer, <token>": answer "bearer".
    offered = websocket.headers.get("sec-websocket-protocol", "")
    await websocket.accept(subprotocol="bearer" if offered.lower().startswith("bearer") else None)
    if len(state.hub.clients) >= state.settings.ws_max_connections:
        limit = state.settings.ws_max_connections
        await websocket.close(code=1013, reason=f"connection limit reached ({limit}); retry later")
        return
    conversation = Conversation(
        websocket, state.hub, state.database.read_sessions, state.settings.ws_client_queue
    )
    await conversation.run()
