"""When a request is the local user's own, and needs no token.

All must hold: the server listens on loopback only; the raw socket peer is loopback (decided on
the connection itself, before any proxy header could rename it); no Forwarded / X-Forwarded-* /
Via header; `Host` is localhost, 127.0.0.1 or [::1] with our port (defeats DNS rebinding); and for
anything that changes state, including a WebSocket handshake, `Origin` is absent or our own
(defeats cross-site requests from pages the user visits).
"""

from __future__ import annotations

import ipaddress

from starlette.datastructures import Headers
from starlette.types import Scope

from loki_dashboard.config import Settings

LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_loopback_address(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def own_origins(port: int) -> set[str]:
    return {f"http://{name}:{port}" for name in LOCAL_NAMES}


def changes_state(scope: Scope) -> bool:
    return scope["type"] == "websocket" or scope.get("method", "GET") not in SAFE_METHODS


def is_local(scope: Scope, settings: Settings) -> bool:
    if not settings.is_loopback or settings.require_token:
        return False
    client = scope.get("client")
    if client is None or not is_loopback_address(client[0]):
        return False
    headers = Headers(scope=scope)
    names = {name.lower() for name in headers}
    if names & {"forwarded", "via"} or any(name.startswith("x-forwarded-") for name in names):
        return False
    if headers.get("host") not in {f"{name}:{settings.port}" for name in LOCAL_NAMES}:
        return False
    origin = headers.get("origin")
    return not (
        changes_state(scope) and origin is not None and origin not in own_origins(settings.port)
    )
