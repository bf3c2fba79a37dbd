"""One contract for each port, run against the embedded default and against Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import anyio
import pytest

from openchance import RateLimited
from openchance.providers.bus import EventBus, InProcessBus, RedisBus
from openchance.providers.cache import Cache, MemoryCache, RedisCache
from openchance.providers.ratelimit import RateLimiter
from tests.support import databases


def _namespace() -> str:
    return f"octest-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=["in-process", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[EventBus]:
    implementation: EventBus = (
        InProcessBus()
        if request.param == "in-process"
        else RedisBus(databases.redis_url(), namespace=_namespace())
    )
    yield implementation
    await implementation.close()


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    implementation: Cache = (
        MemoryCache()
        if request.param == "memory"
        else RedisCache(databases.redis_url(), namespace=_namespace())
    )
    yield implementation
    await implementation.close()


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    redis_url = databases.redis_url() if request.param == "redis" else None
    implementation = RateLimiter(redis_url, namespace=_namespace())
    yield implementation
    await implementation.close()


async def _receive(bus: EventBus, channel: str, into: list[str], ready: anyio.Event) -> None:
    async with bus.subscribe(channel) as messages:
        ready.set()
        async for message in messages:
            into.append(message)


class TestEventBus:
    async def test_every_subscriber_of_a_channel_receives_each_message(self, bus: EventBus) -> None:
        first: list[str] = []
        second: list[str] = []
        elsewhere: list[str] = []
        async with anyio.create_task_group() as group:
            for into, channel in ((first, "a"), (second, "a"), (elsewhere, "b")):
                ready = anyio.Event()
                group.start_soon(_receive, bus, channel, into, ready)
                await ready.wait()
            await bus.publish("a", '{"n": 1}')
            await bus.publish("a", '{"n": 2}')
            with anyio.fail_after(5):
                while len(first) < 2 or len(second) < 2:
                    await anyio.sleep(0.01)
            group.cancel_scope.cancel()

        assert first == second == ['{"n": 1}', '{"n": 2}']
        assert elsewhere == []

    async def test_publishing_without_subscribers_is_fine(self, bus: EventBus) -> None:
        await bus.publish("nobody", "hello")

    async def test_ping_answers(self, bus: EventBus) -> None:
        await bus.ping()


class TestRedisBusAcrossConnections:
    async def test_a_message_published_by_one_process_reaches_another(self) -> None:
        namespace = _namespace()
        publisher = RedisBus(databases.redis_url(), namespace=namespace)
        subscriber = RedisBus(databases.redis_url(), namespace=namespace)
        received: list[str] = []
        try:
            async with anyio.create_task_group() as group:
                ready = anyio.Event()
                group.start_soon(_receive, subscriber, "events", received, ready)
                await ready.wait()
                await publisher.publish("events", "crossed")
                with anyio.fail_after(5):
                    while not received:
                        await anyio.sleep(0.01)
                group.cancel_scope.cancel()
        finally:
            await publisher.close()
            await subscriber.close()

        assert received == ["crossed"]


class TestInProcessBusBackpressure:
    async def test_a_subscriber_that_falls_behind_is_disconnected(self) -> None:
        from openchance.providers.bus import SubscriptionOverflowed

        bus = InProcessBus(buffer_size=2)
        async with bus.subscribe("busy") as messages:
            for number in range(5):
                await bus.publish("busy", str(number))
            with pytest.raises(SubscriptionOverflowed):
                async for _message in messages:
                    pass


class TestCache:
    async def test_a_value_set_can_be_read_back(self, cache: Cache) -> None:
        await cache.set("k", b"v")

        assert await cache.get("k") == b"v"

    async def test_a_value_expires_after_its_ttl(self, cache: Cache) -> None:
        await cache.set("short", b"v", ttl_seconds=0.1)
        await anyio.sleep(0.25)

        assert await cache.get("short") is None

    async def test_add_sets_only_when_absent(self, cache: Cache) -> None:
        assert await cache.add("once", b"1") is True
        assert await cache.add("once", b"2") is False
        assert await cache.get("once") == b"1"

    async def test_delete_removes_the_value(self, cache: Cache) -> None:
        await cache.set("gone", b"v")
        await cache.delete("gone")

        assert await cache.get("gone") is None

    async def test_take_returns_the_value_once(self, cache: Cache) -> None:
        await cache.set("ticket", b"v", ttl_seconds=30)

        assert await cache.take("ticket") == b"v"
        assert await cache.take("ticket") is None
        assert await cache.get("ticket") is None

    async def test_of_concurrent_takers_exactly_one_gets_the_value(self, cache: Cache) -> None:
        await cache.set("contested", b"v")
        taken: list[bytes | None] = []

        async def take() -> None:
            taken.append(await cache.take("contested"))

        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(take)

        assert sorted(taken, key=lambda value: value is None) == [b"v"] + [None] * 19

    async def test_an_expired_value_cannot_be_taken(self, cache: Cache) -> None:
        await cache.set("stale", b"v", ttl_seconds=0.1)
        await anyio.sleep(0.25)

        assert await cache.take("stale") is None


class TestRateLimiter:
    async def test_hits_within_the_limit_pass(self, limiter: RateLimiter) -> None:
        for _ in range(3):
            await limiter.hit("3/minute", "sign-in", "203.0.113.7")

    async def test_the_hit_over_the_limit_is_refused_with_a_retry_after(
        self, limiter: RateLimiter
    ) -> None:
        for _ in range(3):
            await limiter.hit("3/minute", "sign-in", "203.0.113.7")

        with pytest.raises(RateLimited) as raised:
            await limiter.hit("3/minute", "sign-in", "203.0.113.7")

        assert 1 <= raised.value.retry_after <= 60

    async def test_limits_are_counted_per_identifier(self, limiter: RateLimiter) -> None:
        for _ in range(3):
            await limiter.hit("3/minute", "sign-in", "203.0.113.7")

        await limiter.hit("3/minute", "sign-in", "198.51.100.1")
