"""Real time over one WebSocket per client (``docs/websocket.md``): the ticket route, the
socket route, and the hub that fans the bus out to the sockets of this process."""

from openchance_server.realtime.hub import Hub
from openchance_server.realtime.routes import router

__all__ = ["Hub", "router"]
