"""Rate limits through the ``limits`` library: in memory by default, in Redis at scale."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool

from openchance.errors import RateLimited


class RateLimiter:
    """``await limiter.hit("10/minute", "sign-in", ip)`` raises :class:`RateLimited` when over."""

    def __init__(self, redis_url: str | None = None, *, namespace: str = "openchance") -> None:
        storage: Storage
        self._pool: ConnectionPool | None = None
        if redis_url:
            # Our own pool, so close() can release the connections (limits has no close).
            self._pool = ConnectionPool.from_url(redis_url)
            storage = RedisStorage(
                "async+" + redis_url,
                implementation="redispy",
                key_prefix=f"{namespace}:limits",
                connection_pool=self._pool,  # type: ignore[arg-type]
            )
        else:
            storage = MemoryStorage()
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)

    async def hit(self, limit: str, *identifiers: str) -> None:
        item = parse(limit)
        if await self._limiter.hit(item, *identifiers):
            return
        stats = await self._limiter.get_window_stats(item, *identifiers)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimited(
            f"too many requests; try again in {retry_after} s", retry_after=retry_after
        )

    async def retry_after(self, limit: str, *identifiers: str) -> int | None:
        """Seconds until the next hit is allowed, or None when a hit would pass now.

        Does not count a hit (for checks such as "is this account locked?")."""
        item = parse(limit)
        if await self._limiter.test(item, *identifiers):
            return None
        stats = await self._limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def reset(self) -> None:
        await self._storage.reset()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()

    async def ping(self) -> None:
        if not await self._storage.check():
            raise ConnectionError("the rate-limit storage does not answer")
