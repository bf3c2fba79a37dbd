"""Small pure-ASGI middlewares, one concern each (see ``openchance_server.app`` for the order)."""

from openchance_server.middleware.access_log import AccessLogMiddleware
from openchance_server.middleware.request_id import RequestIdMiddleware, request_id_of
from openchance_server.middleware.security_headers import SecurityHeadersMiddleware

__all__ = [
    "AccessLogMiddleware",
    "RequestIdMiddleware",
    "SecurityHeadersMiddleware",
    "request_id_of",
]
