"""Who is connected right now: the hook between the real-time layer and the core.

The WebSocket layer owns connections; the core only asks "is this user connected?" (to
decide, for instance, whether a new message also needs an in-app notification). Presence
lives in the platform cache (``oc.cache``: in-process, or Redis shared by every server
process), so a job running in a worker process sees the sockets of every server.

One cache key per user holds that user's live connections with an expiry each, as JSON
(``{"<connection id>": <unix time it expires>}``); the key itself expires with the last of
them. The socket layer calls :func:`mark_connected` when a socket opens and on every
heartbeat (so a connection whose process died drops out after ``ttl_seconds``), and
:func:`mark_disconnected` when it closes. A user is connected while any of their
connections has not expired.

The cache port has no atomic update of a map, so two processes changing the same user's
map at the same instant may lose one change: a lost ``mark_connected`` is restored by that
connection's next heartbeat, a lost ``mark_disconnected`` expires with its ``ttl_seconds``.
Presence may therefore be wrong for at most one heartbeat period, which is what a
notification decision can afford.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Protocol

from openchance.providers.cache import Cache

KEY_PREFIX = "presence:"
MAX_CONNECTIONS_KEPT = 50
"""The most live connections remembered per user (the ones expiring last are kept)."""


class Presence(Protocol):
    async def is_connected(self, user_id: uuid.UUID) -> bool:
        """Whether ``user_id`` has at least one live real-time connection."""
        ...


class CachePresence:
    """:class:`Presence` read from the platform cache, as the functions below write it."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    async def is_connected(self, user_id: uuid.UUID) -> bool:
        return bool(await _live_connections(self._cache, user_id, now=time.time()))


def presence_key(user_id: uuid.UUID) -> str:
    return f"{KEY_PREFIX}{user_id}"


async def mark_connected(
    cache: Cache, user_id: uuid.UUID, connection_id: str, ttl_seconds: float
) -> None:
    """Record (or refresh, on each heartbeat) that ``connection_id`` of ``user_id`` is live
    for the next ``ttl_seconds``."""
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    now = time.time()
    connections = await _live_connections(cache, user_id, now=now)
    connections[connection_id] = now + ttl_seconds
    await _store(cache, user_id, connections, now=now)


async def mark_disconnected(cache: Cache, user_id: uuid.UUID, connection_id: str) -> None:
    """Forget ``connection_id`` of ``user_id`` (the user stays connected through others)."""
    now = time.time()
    connections = await _live_connections(cache, user_id, now=now)
    if connections.pop(connection_id, None) is None:
        return
    await _store(cache, user_id, connections, now=now)


async def _live_connections(cache: Cache, user_id: uuid.UUID, *, now: float) -> dict[str, float]:
    raw = await cache.get(presence_key(user_id))
    if raw is None:
        return {}
    try:
        stored = json.loads(raw)
    except ValueError:
        return {}  # unreadable: as if nobody were connected; the next heartbeat rewrites it
    if not isinstance(stored, dict):
        return {}
    return {
        str(connection): float(expires)
        for connection, expires in stored.items()
        if isinstance(expires, int | float) and expires > now
    }


async def _store(
    cache: Cache, user_id: uuid.UUID, connections: dict[str, float], *, now: float
) -> None:
    key = presence_key(user_id)
    if not connections:
        await cache.delete(key)
        return
    kept = dict(sorted(connections.items(), key=lambda item: item[1])[-MAX_CONNECTIONS_KEPT:])
    value = json.dumps(kept, separators=(",", ":")).encode()
    await cache.set(key, value, ttl_seconds=max(kept.values()) - now)


async def is_connected(cache: Cache, user_id: uuid.UUID) -> bool:
    """Whether ``user_id`` has a live connection on any process (:class:`CachePresence`
    as a function, for callers that hold only the cache)."""
    return await CachePresence(cache).is_connected(user_id)
