"""The WebSocket through a real uvicorn process: tickets, Origin, who may follow what,
catching up with a cursor, resends, bad and oversize frames, typing and read markers."""

from __future__ import annotations

import json
import uuid

import anyio
import pytest
from sqlalchemy import func, select
from websockets.exceptions import InvalidStatus

from openchance import Actor, OpenChance
from openchance.messaging.schemas import MessageCreate
from openchance.models.events import EventRecord
from openchance.models.messaging import Message
from tests.realtime.conftest import (
    ALLOWED_ORIGIN,
    SERVER_SETTINGS,
    Client,
    Server,
    closed_code,
    get_ticket,
    open_client,
    pair,
    person,
)

pytestmark = pytest.mark.slow


class TestTickets:
    async def test_a_ticket_opens_one_socket_and_is_refused_after(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        someone = await person(rt_oc)
        ticket = await get_ticket(server, someone.token)
        from websockets.asyncio.client import connect

        async with connect(f"{server.ws_url}?ticket={ticket}") as first:
            assert json.loads(await first.recv())["type"] == "unread.update"
            await first.send(json.dumps({"v": 1, "type": "ping", "ref": "p1"}))
            assert json.loads(await first.recv()) == {"v": 1, "type": "pong", "ref": "p1"}
            async with connect(f"{server.ws_url}?ticket={ticket}") as second:
                again = Client(second)
                error = await again.receive()
                assert error["code"] == "invalid_ticket"
                assert await closed_code(again) == 4401

    async def test_an_expired_ticket_is_refused(self, server: Server, rt_oc: OpenChance) -> None:
        someone = await person(rt_oc)
        ticket = await get_ticket(server, someone.token)
        await anyio.sleep(SERVER_SETTINGS["ws_ticket_ttl_seconds"] + 0.3)
        from websockets.asyncio.client import connect

        async with connect(f"{server.ws_url}?ticket={ticket}") as late:
            client = Client(late)
            assert (await client.receive())["code"] == "invalid_ticket"
            assert await closed_code(client) == 4401

    async def test_no_ticket_no_socket(self, server: Server) -> None:
        from websockets.asyncio.client import connect

        async with connect(server.ws_url) as anonymous:
            client = Client(anonymous)
            assert (await client.receive())["code"] == "invalid_ticket"
            assert await closed_code(client) == 4401

    async def test_tickets_need_a_signed_in_user(self, server: Server) -> None:
        import httpx

        async with httpx.AsyncClient(base_url=server.base_url) as http:
            response = await http.post("/api/v1/ws/ticket")
        assert response.status_code == 401


class TestOrigin:
    async def test_a_wrong_origin_is_refused_before_the_handshake(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        someone = await person(rt_oc)
        with pytest.raises(InvalidStatus) as raised:
            await open_client(server, someone.token, origin="https://evil.example")
        assert raised.value.response.status_code == 403

    async def test_an_allowed_origin_is_let_in(self, server: Server, rt_oc: OpenChance) -> None:
        someone = await person(rt_oc)
        client = await open_client(server, someone.token, origin=ALLOWED_ORIGIN)
        await client.send("ping")
        assert (await client.receive())["type"] == "pong"
        await client.close()


async def barrier(client: Client) -> list[dict[str, object]]:
    """Ping and wait for the pong: every frame queued for the client before it has arrived.
    Returns the frames not taken yet and those that came before the pong."""
    untaken = client.take_untaken()
    ref = uuid.uuid4().hex[:8]
    before = len(client.seen)
    await client.send("ping", ref=ref)
    while True:
        frame = await client.receive()
        if frame["type"] == "pong" and frame.get("ref") == ref:
            return [*untaken, *client.seen[before:-1]]


class TestWhoMayFollow:
    async def test_a_stranger_cannot_subscribe_read_or_post(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        talk = await pair(rt_oc)
        nosy = await person(rt_oc, "Nosy Parker")
        stranger = await open_client(server, nosy.token)
        solver = await open_client(server, talk.solver.token)
        await solver.subscribe((talk.id, 0))

        await stranger.send("subscribe", conversations=[{"id": str(talk.id), "after_seq": 0}])
        refused = await stranger.until("error")
        await stranger.send(
            "message.send", conversation_id=str(talk.id), client_id="x-1", body="Let me in"
        )
        not_posted = await stranger.until("error")
        await stranger.send("read", conversation_id=str(talk.id), seq=1)
        not_read = await stranger.until("error")
        await solver.post(talk.id, "Private")
        await solver.until("message.new")

        assert refused["code"] == not_posted["code"] == not_read["code"] == "not_found"
        assert refused["conversation_id"] == str(talk.id)
        assert not [f for f in await barrier(stranger) if f["type"] == "message.new"]
        assert not [f for f in stranger.seen if f["type"] in {"subscribed", "message.new"}]
        async with rt_oc.unit_of_work(read_only=True) as uow:
            bodies = list(
                await uow.session.scalars(
                    select(Message.body).where(Message.conversation_id == talk.id)
                )
            )
        assert bodies == ["Private"]
        await stranger.close()
        await solver.close()


class TestCatchingUp:
    async def test_a_reconnect_with_a_cursor_gets_exactly_the_50_missed_in_order(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        talk = await pair(rt_oc)
        challenger = Actor.user(talk.challenger.user_id)
        solver = await open_client(server, talk.solver.token)
        await solver.subscribe((talk.id, 0))
        other = await open_client(server, talk.challenger.token)
        for number in range(5):
            await other.post(talk.id, f"before {number}")
        seen = await solver.messages(5)
        cursor = seen[-1]["seq"]
        await solver.close()

        for number in range(50):
            await rt_oc.messaging.post_message(
                challenger, talk.id, MessageCreate(body=f"missed {number}")
            )
        again = await open_client(server, talk.solver.token)
        await again.subscribe((talk.id, cursor))
        caught_up = await again.messages(50)
        live = await other.post(talk.id, "live again")
        after = await again.messages(1)

        assert [m["seq"] for m in caught_up] == list(range(cursor + 1, cursor + 51))
        assert [m["body"] for m in caught_up] == [f"missed {n}" for n in range(50)]
        assert after[0]["id"] == live["id"]
        assert after[0]["seq"] == cursor + 51
        assert not [f for f in await barrier(again) if f["type"] == "message.new"]
        await again.close()
        await other.close()

    async def test_a_subscription_without_a_cursor_gets_only_new_messages(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        talk = await pair(rt_oc)
        await rt_oc.messaging.post_message(
            Actor.user(talk.challenger.user_id), talk.id, MessageCreate(body="old")
        )
        solver = await open_client(server, talk.solver.token)
        await solver.subscribe((talk.id, None))
        challenger = await open_client(server, talk.challenger.token)
        await challenger.post(talk.id, "new")

        assert [m["body"] for m in await solver.messages(1)] == ["new"]
        await solver.close()
        await challenger.close()


class TestResend:
    async def test_a_resend_with_the_same_client_id_creates_one_message(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        talk = await pair(rt_oc)
        sender = await open_client(server, talk.solver.token)
        reader = await open_client(server, talk.challenger.token)
        await reader.subscribe((talk.id, 0))

        first = await sender.post(talk.id, "Only once", client_id="retry-1")
        second = await sender.post(talk.id, "Only once", client_id="retry-1")
        delivered = await reader.messages(1)

        assert first == second
        assert delivered[0]["id"] == first["id"]
        assert not [f for f in await barrier(reader) if f["type"] == "message.new"]
        async with rt_oc.unit_of_work(read_only=True) as uow:
            count = await uow.session.scalar(
                select(func.count(Message.id)).where(Message.conversation_id == talk.id)
            )
        assert count == 1
        await sender.close()
        await reader.close()


class TestBadFrames:
    async def test_each_gets_an_error_frame_and_the_connection_stays(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        someone = await person(rt_oc)
        client = await open_client(server, someone.token)
        limit = SERVER_SETTINGS["ws_max_frame_bytes"]
        cases: list[tuple[str | bytes, str]] = [
            ("{oops", "invalid_json"),
            ('{"v": 1, "type": "shout"}', "unknown_type"),
            ('{"v": 1, "type": "read", "conversation_id": "x", "seq": -1}', "invalid_frame"),
            ('{"type": "ping"}', "unsupported_version"),
            (b"\x00\x01", "binary_not_supported"),
            (json.dumps({"v": 1, "type": "ping", "ref": "x" * limit}), "frame_too_large"),
        ]
        codes = []
        for text, _code in cases:
            await client.send_raw(text)
            codes.append((await client.until("error"))["code"])

        assert codes == [code for _text, code in cases]
        await barrier(client)  # still answering
        await client.close()

    async def test_a_frame_over_the_hard_limit_closes_cleanly(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        someone = await person(rt_oc)
        client = await open_client(server, someone.token)
        await client.send_raw("x" * (SERVER_SETTINGS["ws_max_frame_bytes"] * 4 + 1))

        assert await closed_code(client) == 1009
        other = await open_client(server, someone.token)
        await barrier(other)
        await other.close()


class TestTyping:
    async def test_relayed_to_the_other_participant_not_the_sender_and_never_stored(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        talk = await pair(rt_oc)
        solver = await open_client(server, talk.solver.token)
        challenger = await open_client(server, talk.challenger.token)
        await solver.subscribe((talk.id, None))
        await challenger.subscribe((talk.id, None))

        await solver.send("typing", conversation_id=str(talk.id))
        typing = await challenger.until("typing")

        assert typing["user_id"] == str(talk.solver.user_id)
        assert typing["conversation_id"] == str(talk.id)
        assert typing["expires_in"] > 0
        assert not [f for f in await barrier(solver) if f["type"] == "typing"]
        async with rt_oc.unit_of_work(read_only=True) as uow:
            messages = await uow.session.scalar(
                select(func.count(Message.id)).where(Message.conversation_id == talk.id)
            )
            names = set(await uow.session.scalars(select(EventRecord.name)))
        assert messages == 0
        assert not any("typing" in name for name in names)
        await solver.close()
        await challenger.close()


class TestReadMarkers:
    async def test_a_new_socket_starts_with_my_unread_counts(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        talk = await pair(rt_oc)
        for number in range(2):
            await rt_oc.messaging.post_message(
                Actor.user(talk.challenger.user_id),
                talk.id,
                MessageCreate(body=f"while away {number}"),
            )

        solver = await open_client(server, talk.solver.token)

        assert solver.greeting is not None
        assert solver.greeting["total"] == 2
        assert solver.greeting["conversations"] == [{"id": str(talk.id), "unread": 2}]
        await solver.close()

    async def test_reading_updates_my_unread_counts_and_tells_the_other_side(
        self, server: Server, rt_oc: OpenChance
    ) -> None:
        talk = await pair(rt_oc)
        solver = await open_client(server, talk.solver.token)
        challenger = await open_client(server, talk.challenger.token)
        await solver.subscribe((talk.id, 0))
        await challenger.subscribe((talk.id, 0))
        for number in range(3):
            await challenger.post(talk.id, f"news {number}")
        await solver.messages(3)

        await solver.send("read", conversation_id=str(talk.id), seq=2)
        unread = await solver.until("unread.update")
        read = await challenger.until("read")

        assert unread["total"] == 1
        assert unread["conversations"] == [{"id": str(talk.id), "unread": 1}]
        assert read == {
            "v": 1,
            "type": "read",
            "conversation_id": str(talk.id),
            "user_id": str(talk.solver.user_id),
            "seq": 2,
        }
        await solver.close()
        await challenger.close()
