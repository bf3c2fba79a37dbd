"""Bounded and fair: a flooding client is throttled, a client that does not read is
disconnected, and everyone else carries on."""

from __future__ import annotations

import json
import socket

import anyio
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from openchance import OpenChance
from openchance.messaging.schemas import MESSAGE_MAX_LENGTH
from tests.realtime.conftest import (
    SERVER_SETTINGS,
    Client,
    Server,
    get_ticket,
    open_client,
    pair,
)

pytestmark = pytest.mark.slow


class TestFlooding:
    async def test_a_flooding_client_is_throttled_and_another_is_unaffected(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        flooders = await pair(rt_oc)
        others = await pair(rt_oc)
        flooder = await open_client(server, flooders.solver.token)
        calm = await open_client(server, others.solver.token)
        listener = await open_client(server, others.challenger.token)
        await listener.subscribe((others.id, None))
        allowed = int(SERVER_SETTINGS["ws_message_rate"].split("/")[0])

        for number in range(allowed + 20):
            await flooder.send(
                "message.send",
                conversation_id=str(flooders.id),
                client_id=f"flood-{number}",
                body="spam",
            )
        calm_message = await calm.post(others.id, "Hello, in peace")
        received = await listener.messages(1)
        answers = [await flooder.until_any({"message.ack", "error"}) for _ in range(allowed + 20)]

        assert received[0]["id"] == calm_message["id"]
        acks = [a for a in answers if a["type"] == "message.ack"]
        refused = [a for a in answers if a["type"] == "error"]
        assert len(acks) == allowed
        assert len(refused) == 20
        assert {r["code"] for r in refused} == {"rate_limited"}
        assert all(r["retry_after"] >= 1 for r in refused)
        for client in (flooder, calm, listener):
            await client.close()


def _small_buffer_socket(port: int) -> socket.socket:
    """A connected socket with a tiny receive buffer: when the client stops reading, the
    server's writes back up after a few frames instead of megabytes."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    return sock


class TestSlowClients:
    async def test_a_client_that_never_reads_is_disconnected_and_others_keep_receiving(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        talk = await pair(rt_oc)
        ticket = await get_ticket(server, talk.solver.token)
        slow = Client(
            await connect(
                f"{server.ws_url}?ticket={ticket}",
                sock=_small_buffer_socket(server.port),
                max_queue=1,
                open_timeout=10,
            )
        )
        await slow.subscribe((talk.id, None))
        poster = await open_client(server, talk.challenger.token)
        reader = await open_client(server, talk.challenger.token)
        await reader.subscribe((talk.id, None))
        # ~60 KB a frame (30 KB of UTF-8, twice with its HTML): enough of them to get past
        # what the kernel buffers for a connection (up to 4 MB) and the send queue.
        body = "€" * (MESSAGE_MAX_LENGTH - 10)
        count = 140

        delivered: list[dict[str, object]] = []

        async def read_along() -> None:
            delivered.extend(await reader.messages(count, timeout=60))

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(read_along)
            for number in range(count):
                await poster.post(talk.id, f"{number} {body}", client_id=f"big-{number}")

        assert [m["seq"] for m in delivered] == list(range(1, count + 1))
        # The close frame waits behind what the kernel buffered; a client that reads within
        # the server's patience (10 s) gets it, a later one finds the connection dropped.
        # Either way it was cut off before getting everything.
        got = 0
        with anyio.fail_after(30):
            while True:
                try:
                    frame = json.loads(await slow.connection.recv())
                except ConnectionClosed as closed:
                    code = closed.rcvd.code if closed.rcvd is not None else None
                    break
                got += frame["type"] == "message.new"
        assert code in {4408, None}
        assert got < count
        for client in (poster, reader):
            await client.close()
