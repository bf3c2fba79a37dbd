"""The cache port: short-lived values shared by the processes of one installation."""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import BlockingConnectionPool, Redis

REDIS_MAX_CONNECTIONS = 100
REDIS_POOL_TIMEOUT_SECONDS = 5.0


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, *, ttl_seconds: float | None = None) -> None: ...

    async def add(self, key: str, value: bytes, *, ttl_seconds: float | None = None) -> bool:
        """Set only if absent; True when this call set it (a cheap cross-process once-only)."""
        ...

    async def delete(self, key: str) -> None: ...

    async def take(self, key: str) -> bytes | None:
        """Read and delete in one step: of concurrent takers (in any process) exactly one
        gets the value (single-use tokens)."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class MemoryCache:
    """A dictionary with expiry, for one process."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[bytes, float | None]] = {}

    def _live(self, key: str) -> bytes | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        value, expires_at = entry
        if expires_at is not None and expires_at <= time.monotonic():
            del self._values[key]
            return None
        return value

    async def get(self, key: str) -> bytes | None:
        return self._live(key)

    async def set(self, key: str, value: bytes, *, ttl_seconds: float | None = None) -> None:
        expires_at = time.monotonic() + ttl_seconds if ttl_seconds is not None else None
        self._values[key] = (value, expires_at)

    async def add(self, key: str, value: bytes, *, ttl_seconds: float | None = None) -> bool:
        if self._live(key) is not None:
            return False
        await self.set(key, value, ttl_seconds=ttl_seconds)
        return True

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    async def take(self, key: str) -> bytes | None:
        value = self._live(key)
        self._values.pop(key, None)
        return value

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._values.clear()


class RedisCache:
    """Redis strings with TTLs, under a key prefix."""

    def __init__(self, url: str, *, namespace: str) -> None:
        # A blocking pool: a burst of callers (every socket of a process refreshing its
        # presence, say) waits briefly for a connection instead of failing with "too many
        # connections" once the pool's limit is reached.
        pool = BlockingConnectionPool.from_url(
            url, max_connections=REDIS_MAX_CONNECTIONS, timeout=REDIS_POOL_TIMEOUT_SECONDS
        )
        self._redis: Redis = Redis.from_pool(pool)
        self._prefix = f"{namespace}:cache:"

    async def get(self, key: str) -> bytes | None:
        value = await self._redis.get(self._prefix + key)
        if value is None:
            return None
        return value if isinstance(value, bytes) else str(value).encode()

    async def set(self, key: str, value: bytes, *, ttl_seconds: float | None = None) -> None:
        px = int(ttl_seconds * 1000) if ttl_seconds is not None else None
        await self._redis.set(self._prefix + key, value, px=px)

    async def add(self, key: str, value: bytes, *, ttl_seconds: float | None = None) -> bool:
        px = int(ttl_seconds * 1000) if ttl_seconds is not None else None
        return bool(await self._redis.set(self._prefix + key, value, px=px, nx=True))

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def take(self, key: str) -> bytes | None:
        value = await self._redis.getdel(self._prefix + key)
        if value is None:
            return None
        return value if isinstance(value, bytes) else str(value).encode()

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()
