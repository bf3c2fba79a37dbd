"""Real uvicorn servers for the WebSocket tests, and clients that speak the protocol.

One server process serves the whole session (its own database, migrated once); tests
that kill or double servers start their own on the same database. The test process makes
users and conversations through ``oc`` on that same database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from openchance import OpenChance, Role, Settings
from openchance.accounts.sessions import open_session
from openchance.db.types import utcnow
from openchance.models.accounts import SessionKind, User, UserStatus
from tests.conftest import BACKEND
from tests.factories.messaging import ConversationIds, insert_conversation
from tests.factories.users import CLIENT
from tests.server.test_runner import child_environment, free_port, wait_until_healthy
from tests.support import databases

SERVE = (
    "import os, openchance, openchance_server; "
    "openchance_server.serve(openchance.load_settings(), port=int(os.environ['TEST_PORT']))"
)
ALLOWED_ORIGIN = "https://app.example"
FRAME_TIMEOUT = 10.0
SERVER_SETTINGS: dict[str, Any] = {
    "run_worker_in_process": False,
    "cors_origins": [ALLOWED_ORIGIN],
    "ws_ticket_ttl_seconds": 2.0,
    "ws_send_queue_size": 16,
    "ws_max_frame_bytes": 64 * 1024,
    "ws_message_rate": "150/minute",
    "log_level": "WARNING",
}


@dataclass
class Server:
    """A uvicorn process running ``openchance_server.serve`` with ``settings``."""

    settings: Settings
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/ws"

    def start(self) -> None:
        log = (self.directory / f"server-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE],
            env=child_environment(self.settings, TEST_PORT=str(self.port)),
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        log.close()
        wait_until_healthy(f"{self.base_url}/healthz", self.process, timeout=90)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbyes."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def realtime_settings(
    _migrated_database: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings of the servers: their own database (not the per-test one, which is
    emptied after each test), on PostgreSQL with Redis for the bus, cache and limits."""
    directory = tmp_path_factory.mktemp("realtime")
    values: dict[str, Any] = {
        **SERVER_SETTINGS,
        "files_directory": directory / "files",
        "redis_namespace": f"octest-rt-{uuid.uuid4().hex[:12]}",
    }
    if BACKEND == "sqlite":
        url = databases.sqlite_copy(_migrated_database, directory)
        yield Settings(_env_file=None, database_url=url, **values)  # type: ignore[call-arg]
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with databases.scratch_postgres_database(f"rt_{worker}") as url:
        databases.migrate_database(url)
        yield Settings(  # type: ignore[call-arg]
            _env_file=None, database_url=url, redis_url=databases.redis_url(), **values
        )


@pytest.fixture(scope="session")
def server(
    realtime_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    running = Server(realtime_settings, tmp_path_factory.mktemp("server"))
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
async def rt_oc(realtime_settings: Settings) -> AsyncIterator[OpenChance]:
    """An installation on the servers' database (and Redis), in the test process."""
    async with OpenChance(realtime_settings) as platform:
        yield platform


# -- people and conversations -------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    user_id: uuid.UUID
    token: str


async def person(oc: OpenChance, name: str = "Ada Lovelace") -> Person:
    """A new active user with an API session (straight into the database: the password
    hashing of a real sign-up would dominate these tests' time)."""
    now = utcnow()
    async with oc.unit_of_work() as uow:
        user = User(
            id=uuid.uuid4(),
            email=f"rt-{uuid.uuid4().hex[:12]}@example.org",
            email_verified_at=now,
            display_name=name,
            role=Role.USER,
            status=UserStatus.ACTIVE,
        )
        uow.session.add(user)
        await uow.flush()
        _row, token, _csrf = open_session(
            uow.session, user_id=user.id, kind=SessionKind.API, client=CLIENT, settings=oc.settings
        )
    return Person(user_id=user.id, token=token)


@dataclass(frozen=True)
class Pair:
    conversation: ConversationIds
    challenger: Person
    solver: Person

    @property
    def id(self) -> uuid.UUID:
        return self.conversation.conversation_id


async def pair(oc: OpenChance) -> Pair:
    """A challenger and a solver with a conversation between them."""
    challenger = await person(oc, "Grace Challenger")
    solver = await person(oc, "Sam Solver")
    conversation = await insert_conversation(oc, challenger.user_id, solver.user_id)
    return Pair(conversation=conversation, challenger=challenger, solver=solver)


# -- clients ------------------------------------------------------------------------------


async def get_ticket(server: Server, token: str) -> str:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=FRAME_TIMEOUT) as http:
        response = await http.post(
            "/api/v1/ws/ticket", headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200, response.text
    ticket: str = response.json()["ticket"]
    return ticket


class Client:
    """A protocol client over a real ``websockets`` connection."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.seen: list[dict[str, Any]] = []
        self.greeting: dict[str, Any] | None = None
        self._untaken: list[dict[str, Any]] = []

    async def send(self, frame_type: str, **fields: Any) -> None:
        await self.connection.send(json.dumps({"v": 1, "type": frame_type, **fields}))

    async def send_raw(self, text: str | bytes) -> None:
        await self.connection.send(text)

    async def receive(self, timeout: float = FRAME_TIMEOUT) -> dict[str, Any]:
        with anyio.fail_after(timeout):
            frame: dict[str, Any] = json.loads(await self.connection.recv())
        self.seen.append(frame)
        return frame

    async def until(self, frame_type: str, timeout: float = FRAME_TIMEOUT) -> dict[str, Any]:
        """The next frame of this type not taken yet (frames of other types are kept for
        later calls, and all are in ``seen``)."""
        return await self.until_any({frame_type}, timeout)

    async def until_any(
        self, frame_types: set[str], timeout: float = FRAME_TIMEOUT
    ) -> dict[str, Any]:
        for index, frame in enumerate(self._untaken):
            if frame["type"] in frame_types:
                return self._untaken.pop(index)
        with anyio.fail_after(timeout):
            while True:
                frame = await self.receive(timeout)
                if frame["type"] in frame_types:
                    return frame
                self._untaken.append(frame)

    def take_untaken(self) -> list[dict[str, Any]]:
        """Frames received but not taken by ``until`` yet (and forget them)."""
        frames, self._untaken = self._untaken, []
        return frames

    async def messages(self, count: int, timeout: float = FRAME_TIMEOUT) -> list[dict[str, Any]]:
        """The next ``count`` ``message.new`` frames' messages."""
        found: list[dict[str, Any]] = []
        with anyio.fail_after(timeout):
            while len(found) < count:
                frame = await self.until("message.new", timeout)
                found.append(frame["message"])
        return found

    async def subscribe(self, *cursors: tuple[uuid.UUID, int | None]) -> dict[str, Any]:
        await self.send(
            "subscribe",
            conversations=[
                {"id": str(conversation_id), "after_seq": after}
                for conversation_id, after in cursors
            ],
        )
        return await self.until("subscribed")

    async def post(
        self, conversation_id: uuid.UUID, body: str, client_id: str | None = None
    ) -> dict[str, Any]:
        client_id = client_id or uuid.uuid4().hex
        await self.send(
            "message.send", conversation_id=str(conversation_id), client_id=client_id, body=body
        )
        ack = await self.until("message.ack")
        assert ack["client_id"] == client_id
        return dict(ack["message"])

    async def close(self) -> None:
        await self.connection.close()


async def closed_code(client: Client, timeout: float = 20.0) -> int | None:
    """Read until the server closes the connection: its close code (None: dropped)."""
    with anyio.fail_after(timeout):
        while True:
            try:
                await client.connection.recv()
            except ConnectionClosed as closed:
                received = closed.rcvd
                return received.code if received is not None else None


async def open_client(
    server: Server, token: str, *, origin: str | None = None, **options: Any
) -> Client:
    ticket = await get_ticket(server, token)
    headers = {"Origin": origin} if origin else None
    connection = await connect(
        f"{server.ws_url}?ticket={ticket}",
        additional_headers=headers,
        open_timeout=FRAME_TIMEOUT,
        **options,
    )
    client = Client(connection)
    # The server greets every accepted socket with the user's unread counts.
    client.greeting = await client.receive()
    assert client.greeting["type"] == "unread.update", client.greeting
    return client
