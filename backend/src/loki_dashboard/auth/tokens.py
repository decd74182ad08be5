"""Bearer tokens: `LOKI_DASHBOARD_TOKEN` for scripted and remote use, compared in constant time.

The token travels in `Authorization: Bearer <token>`; a browser WebSocket, which cannot set
headers, offers it as the subprotocol pair `bearer, <token>` (never in the URL, where it would
end up in logs and history).
"""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers
from starlette.types import Scope

from loki_dashboard.config import Settings


def presented_token(scope: Scope) -> str | None:
    headers = Headers(scope=scope)
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scope["type"] == "websocket":
        offered = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",")]
        if len(offered) >= 2 and offered[0].lower() == "bearer" and offered[1]:
            return offered[1]
    return None


def is_valid(token: str | None, settings: Settings) -> bool:
    expected = settings.token.get_secret_value() if settings.token else None
    if not token or not expected:
        return False
    return hmac.compare_digest(token.encode(), expected.encode())
