"""The WebSocket endpoint; the conversation itself lives in `realtime/protocol.py`."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from loki_dashboard.realtime.protocol import Conversation

router = APIRouter()


@router.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    """Live events: subscribe to channels, resume with `since`."""
    state = websocket.app.state
    await websocket.accept()
    if len(state.hub.clients) >= state.settings.ws_max_connections:
        limit = state.settings.ws_max_connections
        await websocket.close(code=1013, reason=f"connection limit reached ({limit}); retry later")
        return
    conversation = Conversation(
        websocket, state.hub, state.database.read_sessions, state.settings.ws_client_queue
    )
    await conversation.run()
