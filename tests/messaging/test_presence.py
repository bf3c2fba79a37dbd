"""Presence in the platform cache, as the WebSocket layer keeps it."""

from __future__ import annotations

import uuid

import anyio
import pytest

from openchance import OpenChance
from openchance.messaging.presence import mark_connected, mark_disconnected


class TestPresence:
    async def test_nobody_is_connected_at_first(self, oc: OpenChance) -> None:
        assert not await oc.presence.is_connected(uuid.uuid4())

    async def test_a_connection_makes_its_user_connected(self, oc: OpenChance) -> None:
        user_id = uuid.uuid4()
        await mark_connected(oc.cache, user_id, "socket-1", ttl_seconds=30)
        assert await oc.presence.is_connected(user_id)

    async def test_the_user_stays_connected_while_another_connection_lives(
        self, oc: OpenChance
    ) -> None:
        user_id = uuid.uuid4()
        await mark_connected(oc.cache, user_id, "tab-1", ttl_seconds=30)
        await mark_connected(oc.cache, user_id, "tab-2", ttl_seconds=30)

        await mark_disconnected(oc.cache, user_id, "tab-1")
        assert await oc.presence.is_connected(user_id)
        await mark_disconnected(oc.cache, user_id, "tab-2")
        assert not await oc.presence.is_connected(user_id)

    async def test_a_connection_without_heartbeat_expires(self, oc: OpenChance) -> None:
        user_id = uuid.uuid4()
        await mark_connected(oc.cache, user_id, "socket-1", ttl_seconds=0.2)
        await anyio.sleep(0.3)
        assert not await oc.presence.is_connected(user_id)

    async def test_the_ttl_must_be_positive(self, oc: OpenChance) -> None:
        with pytest.raises(ValueError, match="ttl"):
            await mark_connected(oc.cache, uuid.uuid4(), "socket-1", ttl_seconds=0)
