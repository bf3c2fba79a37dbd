"""``POST /api/v1/ws/ticket`` and ``GET /api/v1/ws?ticket=…`` (the WebSocket)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket

from openchance import OpenChance, Settings
from openchance.errors import NotAuthenticated
from openchance.messaging.protocol import CloseCode, ErrorFrame, encode
from openchance.messaging.realtime_tickets import RealtimeTicket
from openchance_server.auth import CurrentUser
from openchance_server.dependencies import Platform
from openchance_server.realtime.connection import Connection
from openchance_server.realtime.hub import Hub

router = APIRouter(prefix="/ws", tags=["realtime"])
logger = logging.getLogger("openchance.server.realtime")


@router.post("/ticket", summary="A ticket to open the WebSocket")
async def issue_ticket(oc: Platform, actor: CurrentUser) -> RealtimeTicket:
    """Open `GET /api/v1/ws?ticket=…` with it within `expires_in` seconds; it works once.
    Browsers send their CSRF token as on every POST. See `docs/websocket.md`."""
    return await oc.realtime.issue_ticket(actor)


@router.websocket("")
async def websocket(socket: WebSocket) -> None:
    oc: OpenChance = socket.app.state.oc
    hub: Hub = socket.app.state.realtime_hub
    if not origin_allowed(socket.headers.get("origin"), oc.settings):
        await socket.close(CloseCode.FORBIDDEN_ORIGIN)  # before accepting: HTTP 403
        return
    await socket.accept()
    if not hub.running:
        await socket.close(CloseCode.INTERNAL_ERROR, "not ready yet: try again")
        return
    try:
        actor = await oc.realtime.redeem_ticket(socket.query_params.get("ticket"))
    except NotAuthenticated as exc:
        await socket.send_text(encode(ErrorFrame(code=exc.code, message=exc.message)))
        await socket.close(CloseCode.UNAUTHORIZED, exc.code)
        return
    except Exception:  # the cache or the database failing: try again later, not a crash
        logger.exception("could not redeem a websocket ticket")
        await socket.close(CloseCode.INTERNAL_ERROR, "try again")
        return
    await Connection(socket, oc, hub, actor).serve()


def origin_allowed(origin: str | None, settings: Settings) -> bool:
    """A browser's page may open the socket from an allowed origin (``cors_origins``) or
    the server's own (``public_base_url``). No ``Origin`` at all: not a browser (browsers
    always send it on a WebSocket handshake), so no page of another site can be behind
    it; the ticket authenticates such clients."""
    if origin is None:
        return True
    origin = origin.rstrip("/")
    if "*" in settings.cors_origins or origin in settings.cors_origins:
        return True
    own = urlsplit(str(settings.public_base_url))
    return origin == f"{own.scheme}://{own.netloc}"
