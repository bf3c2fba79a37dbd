"""One bus listener per server process, fanning events out to the process's sockets.

The hub holds the only bus subscriptions of the process (channel ``events`` for the
outbox's announcements, ``typing`` for typing indicators), however many sockets are
open, and routes each announcement to the connections that follow its conversation.
Encoding happens once per announcement, not once per socket. It never waits on a
socket: a connection whose queue is full is disconnected (``Connection.push``).

When a subscription breaks (Redis restarted, or the in-process bus dropped the hub for
falling behind) the hub subscribes again and tells every connection to catch up from
the database, so what the bus lost in between is still delivered.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio
from anyio.abc import TaskStatus

from openchance import OpenChance
from openchance.db.uow import EVENTS_CHANNEL
from openchance.messaging.events import MessagePosted, ReadMarkerMoved
from openchance.messaging.feed import Delivery
from openchance.messaging.protocol import MessageNewFrame, ReadFrame, encode
from openchance.messaging.realtime import TYPING_CHANNEL
from openchance.messaging.schemas import MessageRead

if TYPE_CHECKING:
    from openchance_server.realtime.connection import Connection

logger = logging.getLogger("openchance.server.realtime")

RESUBSCRIBE_DELAY_SECONDS = 1.0


class Hub:
    def __init__(self, oc: OpenChance) -> None:
        self._oc = oc
        self._followers: dict[uuid.UUID, set[Connection]] = defaultdict(set)
        self._by_user: dict[uuid.UUID, set[Connection]] = defaultdict(set)
        self._scope: anyio.CancelScope | None = None
        self.running = False

    # -- connections ---------------------------------------------------------------------

    def add(self, connection: Connection) -> None:
        self._by_user[connection.user_id].add(connection)

    def remove(self, connection: Connection) -> None:
        for conversation_id in list(connection.followed()):
            self.unfollow(connection, conversation_id)
        users = self._by_user.get(connection.user_id)
        if users is not None:
            users.discard(connection)
            if not users:
                del self._by_user[connection.user_id]

    def follow(self, connection: Connection, conversation_id: uuid.UUID) -> None:
        self._followers[conversation_id].add(connection)

    def unfollow(self, connection: Connection, conversation_id: uuid.UUID) -> None:
        followers = self._followers.get(conversation_id)
        if followers is not None:
            followers.discard(connection)
            if not followers:
                del self._followers[conversation_id]

    @property
    def connection_count(self) -> int:
        return sum(len(connections) for connections in self._by_user.values())

    # -- the bus -------------------------------------------------------------------------

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Listen until :meth:`stop`; reports started once both channels are subscribed."""
        with anyio.CancelScope() as scope:
            self._scope = scope
            async with anyio.create_task_group() as tasks:
                await tasks.start(self._listen, EVENTS_CHANNEL, self._on_event)
                await tasks.start(self._listen, TYPING_CHANNEL, self._on_typing)
                self.running = True
                task_status.started()
        self.running = False

    def stop(self) -> None:
        if self._scope is not None:
            self._scope.cancel()

    async def _listen(
        self,
        channel: str,
        handle: Callable[[str], None],
        *,
        task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        started = False
        while True:
            try:
                async with self._oc.bus.subscribe(channel) as messages:
                    if not started:
                        task_status.started()
                        started = True
                    else:
                        self._resync_all()
                    async for message in messages:
                        try:
                            handle(message)
                        except Exception:
                            logger.exception("could not route a message from bus %s", channel)
            except Exception:
                logger.exception(
                    "the bus subscription to %s broke; subscribing again in %.0f s",
                    channel,
                    RESUBSCRIBE_DELAY_SECONDS,
                )
            if not started:
                task_status.started()
                started = True
            await anyio.sleep(RESUBSCRIBE_DELAY_SECONDS)

    def _resync_all(self) -> None:
        for connections in list(self._by_user.values()):
            for connection in list(connections):
                connection.push_resync()

    def _on_event(self, text: str) -> None:
        event: dict[str, Any] = json.loads(text)
        name = event.get("name")
        if name == MessagePosted.name:
            self._on_message_posted(event["payload"])
        elif name == ReadMarkerMoved.name:
            self._on_conversation_read(event["payload"])

    def _on_message_posted(self, payload: dict[str, Any]) -> None:
        conversation_id = uuid.UUID(payload["conversation_id"])
        followers = self._followers.get(conversation_id)
        if not followers:
            return
        message = MessageRead.model_validate(payload["message"])
        delivery = Delivery(seq=message.seq, frame=encode(MessageNewFrame(message=message)))
        participants = frozenset(str(user) for user in payload["participant_ids"])
        for connection in list(followers):
            connection.push_live(conversation_id, delivery, participants)

    def _on_conversation_read(self, payload: dict[str, Any]) -> None:
        conversation_id = uuid.UUID(payload["conversation_id"])
        reader = uuid.UUID(payload["user_id"])
        frame = encode(
            ReadFrame(conversation_id=conversation_id, user_id=reader, seq=payload["last_read_seq"])
        )
        for connection in list(self._followers.get(conversation_id, ())):
            if connection.user_id != reader:
                connection.push_frame(frame)
        for connection in list(self._by_user.get(reader, ())):
            connection.push_unread_refresh()

    def _on_typing(self, text: str) -> None:
        data: dict[str, Any] = json.loads(text)
        conversation_id = uuid.UUID(data["conversation_id"])
        typist = uuid.UUID(data["user_id"])
        for connection in list(self._followers.get(conversation_id, ())):
            if connection.user_id != typist:
                connection.push_frame(text)
