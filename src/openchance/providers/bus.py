"""The event bus port: fan-out of announcements to every subscriber, in-process or across processes.

Messages are strings (JSON in practice), so the in-process bus behaves exactly like Redis
pub/sub. The bus is best-effort: the database is the source of truth and a subscriber that
missed something (disconnected, too slow) catches up from it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from redis.asyncio import Redis

logger = logging.getLogger(__name__)

SUBSCRIBER_BUFFER = 1000


class SubscriptionOverflowed(Exception):
    """A subscriber fell too far behind and lost messages; it must catch up from the database."""


class EventBus(Protocol):
    async def publish(self, channel: str, message: str) -> None: ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[str]]: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class InProcessBus:
    """Fan-out inside one process. Each subscriber has a bounded buffer; overflow ends it."""

    def __init__(self, buffer_size: int = SUBSCRIBER_BUFFER) -> None:
        self._buffer_size = buffer_size
        self._subscribers: dict[str, set[MemoryObjectSendStream[str]]] = defaultdict(set)

    async def publish(self, channel: str, message: str) -> None:
        for stream in list(self._subscribers.get(channel, ())):
            try:
                stream.send_nowait(message)
            except anyio.WouldBlock:
                logger.warning("bus subscriber on %s overflowed; disconnecting it", channel)
                self._subscribers[channel].discard(stream)
                await stream.aclose()
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                self._subscribers[channel].discard(stream)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[str]]:
        send, receive = anyio.create_memory_object_stream[str](self._buffer_size)
        self._subscribers[channel].add(send)
        try:
            yield _iterate_until_overflow(send, receive, self._subscribers[channel])
        finally:
            self._subscribers[channel].discard(send)
            await send.aclose()
            await receive.aclose()

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        for streams in self._subscribers.values():
            for stream in streams:
                await stream.aclose()
        self._subscribers.clear()


async def _iterate_until_overflow(
    send: MemoryObjectSendStream[str],
    receive: MemoryObjectReceiveStream[str],
    live: set[MemoryObjectSendStream[str]],
) -> AsyncIterator[str]:
    async for message in receive:
        yield message
    if send not in live:
        raise SubscriptionOverflowed("the subscriber fell behind and was disconnected")


class RedisBus:
    """Redis pub/sub: a message published by any process reaches subscribers in every process."""

    def __init__(self, url: str, *, namespace: str) -> None:
        self._redis: Redis = Redis.from_url(url)
        self._prefix = f"{namespace}:bus:"

    async def publish(self, channel: str, message: str) -> None:
        await self._redis.publish(self._prefix + channel, message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[str]]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self._prefix + channel)
        try:
            yield _redis_messages(pubsub)
        finally:
            await pubsub.unsubscribe(self._prefix + channel)
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


async def _redis_messages(pubsub: object) -> AsyncIterator[str]:
    async for item in pubsub.listen():  # type: ignore[attr-defined]
        if item.get("type") == "message":
            data = item["data"]
            yield data.decode() if isinstance(data, bytes) else str(data)
