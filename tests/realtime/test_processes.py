"""Across process deaths and across processes: a server killed with SIGKILL and started
again loses nothing (clients catch up with their cursors), and two server processes on one
PostgreSQL + Redis deliver to each other's clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from openchance import Actor, OpenChance, Settings
from openchance.messaging.schemas import MessageCreate
from tests.realtime.conftest import Client, Server, closed_code, get_ticket, open_client, pair

pytestmark = pytest.mark.slow


@pytest.fixture
def own_server(realtime_settings: Settings, tmp_path: Path) -> Iterator[Server]:
    """A server process of this test's own, on the shared database."""
    running = Server(realtime_settings, tmp_path)
    running.start()
    try:
        yield running
    finally:
        running.stop()


class TestKilledServer:
    async def test_nothing_is_lost_across_a_sigkill_and_a_restart(
        self, own_server: Server, rt_oc: OpenChance
    ) -> None:
        talk = await pair(rt_oc)
        solver = await open_client(own_server, talk.solver.token)
        challenger = await open_client(own_server, talk.challenger.token)
        await solver.subscribe((talk.id, 0))
        for number in range(3):
            await challenger.post(talk.id, f"before {number}")
        cursor = (await solver.messages(3))[-1]["seq"]

        own_server.kill()
        assert await closed_code(solver) is None  # dropped, no close frame
        assert await closed_code(challenger) is None
        await solver.close()
        await challenger.close()
        for number in range(5):  # stored while no server runs (another process posts)
            await rt_oc.messaging.post_message(
                Actor.user(talk.challenger.user_id), talk.id, MessageCreate(body=f"down {number}")
            )
        own_server.start()  # same port, same database

        solver = await open_client(own_server, talk.solver.token)
        await solver.subscribe((talk.id, cursor))
        caught_up = await solver.messages(5)
        challenger = await open_client(own_server, talk.challenger.token)
        await challenger.post(talk.id, "after")
        live = await solver.messages(1)

        assert [m["body"] for m in caught_up] == [f"down {n}" for n in range(5)]
        assert [m["seq"] for m in [*caught_up, *live]] == list(range(cursor + 1, cursor + 7))
        assert live[0]["body"] == "after"
        await solver.close()
        await challenger.close()


@pytest.mark.postgres_only
class TestTwoProcesses:
    async def test_each_delivers_to_the_others_clients_over_redis(
        self, server: Server, own_server: Server, rt_oc: OpenChance
    ) -> None:
        talk = await pair(rt_oc)
        # A ticket from one process opens a socket on the other: the cache is Redis.
        ticket = await get_ticket(server, talk.solver.token)
        solver = Client(await connect(f"{own_server.ws_url}?ticket={ticket}", open_timeout=10))
        challenger = await open_client(server, talk.challenger.token)
        await solver.subscribe((talk.id, 0))
        await challenger.subscribe((talk.id, 0))

        sent_on_a = await challenger.post(talk.id, "from process A")
        got_on_b = await solver.messages(1)
        sent_on_b = await solver.post(talk.id, "from process B")
        got_on_a = await challenger.messages(2)
        await solver.send("typing", conversation_id=str(talk.id))
        typing = await challenger.until("typing")

        assert got_on_b[0]["id"] == sent_on_a["id"]
        assert [m["id"] for m in got_on_a] == [sent_on_a["id"], sent_on_b["id"]]
        assert typing["user_id"] == str(talk.solver.user_id)
        await solver.close()
        await challenger.close()
