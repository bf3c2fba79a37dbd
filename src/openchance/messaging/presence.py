"""Who has a real-time connection open right now, in the platform cache (so every process
sees it): notifications skip users who are connected and will see the message live.

A connection marks itself connected with a TTL and refreshes it while open; a process
that dies without saying goodbye stops counting after the TTL. Two keys per mark: one per
connection, and one per user holding the newest connection's id. Disconnecting removes the
user's key only if it names this connection, so a user with a second connection stays
present (at worst until that connection's next refresh, which restores the key).
"""

from __future__ import annotations

import uuid

from openchance.providers.cache import Cache

PREFIX = "presence:"


def _user_key(user_id: uuid.UUID) -> str:
    return f"{PREFIX}{user_id}"


def _connection_key(user_id: uuid.UUID, connection_id: str) -> str:
    return f"{PREFIX}{user_id}:{connection_id}"


async def mark_connected(
    cache: Cache, user_id: uuid.UUID, connection_id: str, ttl_seconds: float
) -> None:
    """The user has this connection open (call again before ``ttl_seconds`` to stay)."""
    await cache.set(_connection_key(user_id, connection_id), b"1", ttl_seconds=ttl_seconds)
    await cache.set(_user_key(user_id), connection_id.encode(), ttl_seconds=ttl_seconds)


async def mark_disconnected(cache: Cache, user_id: uuid.UUID, connection_id: str) -> None:
    """This connection closed."""
    await cache.delete(_connection_key(user_id, connection_id))
    if await cache.get(_user_key(user_id)) == connection_id.encode():
        await cache.delete(_user_key(user_id))


async def is_connected(cache: Cache, user_id: uuid.UUID) -> bool:
    """Whether the user has a live connection on any process."""
    return await cache.get(_user_key(user_id)) is not None
