"""One client's socket: frames in, core calls, frames out.

Three tasks per connection:

- the **receiver** reads client frames one at a time and calls ``oc.realtime``; its
  answers (acks, errors, pongs) are queued like everything else;
- the **sender** is the only task that writes to the socket. It drains the connection's
  bounded queue in order: frames to send, live messages from the hub, catch-up requests.
  Because it alone drives the subscriptions' :class:`ConversationFeed`, replaying history
  and delivering live messages never interleave;
- the **presence** task keeps the user marked connected in the cache.

The hub never waits on a connection: when the queue is full (the client does not read),
the connection is closed with ``4408`` and the client catches up when it reconnects.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected

from openchance import Actor, OpenChance
from openchance.errors import NotFound, OpenChanceError, RateLimited
from openchance.messaging import presence
from openchance.messaging.feed import ConversationFeed, Delivery
from openchance.messaging.protocol import (
    MAX_SUBSCRIPTIONS,
    ClientFrame,
    CloseCode,
    ErrorCode,
    ErrorFrame,
    FrameRejected,
    MessageAckFrame,
    MessageNewFrame,
    MessageSendFrame,
    PingFrame,
    PongFrame,
    ReadSendFrame,
    SubscribedFrame,
    SubscribeFrame,
    TypingSendFrame,
    encode,
    parse_client_frame,
)
from openchance.messaging.realtime import SubscriptionGrant

if TYPE_CHECKING:
    from openchance_server.realtime.hub import Hub

logger = logging.getLogger("openchance.server.realtime")

CLOSE_TIMEOUT_SECONDS = 2.0
SLOW_CLOSE_TIMEOUT_SECONDS = 10.0
"""A client too slow to read has a backlog in front of its close frame: give it this long
to read its way to the 4408 before the connection is simply dropped."""


@dataclass(frozen=True, slots=True)
class _Frame:
    text: str


@dataclass(frozen=True, slots=True)
class _Live:
    conversation_id: uuid.UUID
    delivery: Delivery


@dataclass(frozen=True, slots=True)
class _Replay:
    feed: ConversationFeed


@dataclass(frozen=True, slots=True)
class _Resync:
    pass


@dataclass(frozen=True, slots=True)
class _RefreshUnread:
    pass


_Item = _Frame | _Live | _Replay | _Resync | _RefreshUnread


@dataclass(slots=True)
class _Subscription:
    feed: ConversationFeed
    grant: SubscriptionGrant


class Connection:
    def __init__(self, websocket: WebSocket, oc: OpenChance, hub: Hub, actor: Actor) -> None:
        assert actor.user_id is not None
        self.id = uuid.uuid4().hex
        self.user_id: uuid.UUID = actor.user_id
        self._websocket = websocket
        self._oc = oc
        self._hub = hub
        self._actor = actor
        self._settings = oc.settings
        self._subscriptions: dict[uuid.UUID, _Subscription] = {}
        self._outbox: MemoryObjectSendStream[_Item]
        self._queue: MemoryObjectReceiveStream[_Item]
        self._outbox, self._queue = anyio.create_memory_object_stream[_Item](
            oc.settings.ws_send_queue_size
        )
        self._closing = anyio.Event()
        self._close_code: int | None = None
        self._close_reason = ""

    # -- what the hub calls (never blocks) -----------------------------------------------

    def followed(self) -> list[uuid.UUID]:
        return list(self._subscriptions)

    def push_frame(self, text: str) -> None:
        self._push(_Frame(text))

    def push_live(
        self, conversation_id: uuid.UUID, delivery: Delivery, participants: frozenset[str]
    ) -> None:
        subscription = self._subscriptions.get(conversation_id)
        if subscription is not None and subscription.grant.may_receive(self.user_id, participants):
            self._push(_Live(conversation_id, delivery))

    def push_resync(self) -> None:
        self._push(_Resync())

    def push_unread_refresh(self) -> None:
        self._push(_RefreshUnread())

    def _push(self, item: _Item) -> None:
        if self._closing.is_set():
            return
        try:
            self._outbox.send_nowait(item)
        except anyio.WouldBlock:
            logger.info("websocket client %s is too slow; disconnecting it", self.id)
            self.close(CloseCode.TOO_SLOW, "too slow: reconnect with your cursors")
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass

    def close(self, code: int | None, reason: str = "") -> None:
        """End the connection (``None``: the client has gone, nothing to send)."""
        if not self._closing.is_set():
            self._close_code = code
            self._close_reason = reason
            self._closing.set()

    # -- the connection's life -----------------------------------------------------------

    async def serve(self) -> None:
        """Until the client leaves or is closed; then the close frame (briefly: a client
        that does not read will not read that either)."""
        self._hub.add(self)
        self.push_unread_refresh()  # the client's badge is right before it subscribes to anything
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(self._send_loop)
                tasks.start_soon(self._receive_loop)
                tasks.start_soon(self._keep_present)
                await self._closing.wait()
                tasks.cancel_scope.cancel()
        finally:
            self._hub.remove(self)
            self._outbox.close()
            with anyio.CancelScope(shield=True):
                await self._say_goodbye()

    async def _say_goodbye(self) -> None:
        try:
            with anyio.move_on_after(CLOSE_TIMEOUT_SECONDS):
                await presence.mark_disconnected(self._oc.cache, self.user_id, self.id)
        except Exception:
            logger.warning("could not mark %s disconnected", self.id, exc_info=True)
        if self._close_code is None:
            return
        patience = (
            SLOW_CLOSE_TIMEOUT_SECONDS
            if self._close_code == CloseCode.TOO_SLOW
            else CLOSE_TIMEOUT_SECONDS
        )
        try:
            with anyio.move_on_after(patience):
                await self._websocket.close(self._close_code, self._close_reason)
        except Exception:
            logger.debug("the close frame could not be sent to %s", self.id, exc_info=True)

    async def _keep_present(self) -> None:
        ttl = self._settings.ws_presence_ttl_seconds
        while True:
            try:
                await presence.mark_connected(self._oc.cache, self.user_id, self.id, ttl)
            except Exception:
                logger.warning("could not mark %s connected", self.id, exc_info=True)
            await anyio.sleep(ttl / 3)

    # -- receiving -----------------------------------------------------------------------

    async def _receive_loop(self) -> None:
        limit = self._settings.ws_max_frame_bytes
        while True:
            message = await self._websocket.receive()
            if message["type"] == "websocket.disconnect":
                self.close(None)
                return
            text = message.get("text")
            if text is None:
                await self._error(ErrorCode.BINARY_NOT_SUPPORTED, "frames are JSON text")
                continue
            if len(text) > limit // 4 and len(text.encode()) > limit:
                await self._error(ErrorCode.FRAME_TOO_LARGE, f"frames are at most {limit} bytes")
                continue
            try:
                frame = parse_client_frame(text)
            except FrameRejected as rejected:
                await self._reply(encode(rejected.frame()))
                continue
            await self._handle(frame)

    async def _handle(self, frame: ClientFrame) -> None:
        try:
            if isinstance(frame, SubscribeFrame):
                await self._subscribe(frame)
            elif isinstance(frame, MessageSendFrame):
                message = await self._oc.realtime.send_message(self._actor, frame)
                await self._reply(
                    encode(MessageAckFrame(client_id=frame.client_id, message=message))
                )
            elif isinstance(frame, TypingSendFrame):
                await self._oc.realtime.typing(self._actor, frame.conversation_id)
            elif isinstance(frame, ReadSendFrame):
                unread = await self._oc.realtime.mark_read(
                    self._actor, frame.conversation_id, frame.seq
                )
                await self._reply(encode(unread))
            elif isinstance(frame, PingFrame):
                await self._reply(encode(PongFrame(ref=frame.ref)))
        except OpenChanceError as exc:
            conversation_id = getattr(frame, "conversation_id", None)
            await self._reply(encode(_error_frame(exc, frame.ref, conversation_id)))
        except Exception:
            logger.exception("a %s frame failed", frame.type)
            await self._error(ErrorCode.INTERNAL_ERROR, "something went wrong", ref=frame.ref)

    async def _subscribe(self, frame: SubscribeFrame) -> None:
        granted: list[ConversationFeed] = []
        for cursor in frame.conversations:
            if (
                cursor.id not in self._subscriptions
                and len(self._subscriptions) >= MAX_SUBSCRIPTIONS
            ):
                await self._error(
                    ErrorCode.INVALID_FRAME,
                    f"at most {MAX_SUBSCRIPTIONS} conversations per connection",
                    ref=frame.ref,
                    conversation_id=cursor.id,
                )
                continue
            try:
                grant = await self._oc.realtime.authorise_subscription(self._actor, cursor.id)
            except OpenChanceError as exc:
                await self._reply(encode(_error_frame(exc, frame.ref, cursor.id)))
                continue
            feed = ConversationFeed(cursor.id, cursor.after_seq)
            # Follow first (live messages are held from now on), then replay: the seam.
            self._subscriptions[cursor.id] = _Subscription(feed=feed, grant=grant)
            self._hub.follow(self, cursor.id)
            granted.append(feed)
        if granted:
            # Not awaited between following and queueing the replay: the replay must be
            # queued right behind the frames held until then (no await, no interleaving).
            self._push(
                _Frame(encode(SubscribedFrame(conversations=[f.conversation_id for f in granted])))
            )
            for feed in granted:
                self._push(_Replay(feed))

    async def _reply(self, text: str) -> None:
        """An answer to the client's own frame: waits for room in the queue, so a client
        that floods without reading is slowed down (it stops being read) rather than
        disconnected for its own answers."""
        if self._closing.is_set():
            return
        with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
            await self._outbox.send(_Frame(text))

    async def _error(
        self,
        code: str,
        message: str,
        *,
        ref: str | None = None,
        conversation_id: uuid.UUID | None = None,
    ) -> None:
        await self._reply(
            encode(ErrorFrame(code=code, message=message, ref=ref, conversation_id=conversation_id))
        )

    # -- sending -------------------------------------------------------------------------

    async def _send_loop(self) -> None:
        try:
            async for item in self._queue:
                await self._send_item(item)
        except (WebSocketDisconnect, WebSocketDisconnected, OSError):
            self.close(None)
        except Exception:
            logger.exception("sending to websocket client %s failed", self.id)
            self.close(CloseCode.INTERNAL_ERROR, "internal error: reconnect with your cursors")

    async def _send_item(self, item: _Item) -> None:
        if isinstance(item, _Frame):
            await self._websocket.send_text(item.text)
        elif isinstance(item, _Live):
            subscription = self._subscriptions.get(item.conversation_id)
            if subscription is None:
                return
            feed = subscription.feed
            await self._deliver(feed, feed.offer(item.delivery, self._fetcher(feed)))
        elif isinstance(item, _Replay):
            subscription = self._subscriptions.get(item.feed.conversation_id)
            if subscription is None or subscription.feed is not item.feed:
                return  # subscribed again since: that subscription replays itself
            feed = item.feed
            await self._deliver(feed, feed.replay(self._fetcher(feed), self._current_seq(feed)))
        elif isinstance(item, _Resync):
            for subscription in list(self._subscriptions.values()):
                feed = subscription.feed
                await self._deliver(feed, feed.catch_up(self._fetcher(feed)))
        elif isinstance(item, _RefreshUnread):
            unread = await self._oc.realtime.unread(self._actor)
            await self._websocket.send_text(encode(unread))

    async def _deliver(self, feed: ConversationFeed, deliveries: _Deliveries) -> None:
        try:
            async for delivery in deliveries:
                await self._websocket.send_text(delivery.frame)
        except NotFound as exc:
            # No longer allowed to read it (left, deleted): stop following it.
            self._subscriptions.pop(feed.conversation_id, None)
            self._hub.unfollow(self, feed.conversation_id)
            await self._websocket.send_text(encode(_error_frame(exc, None, feed.conversation_id)))

    def _fetcher(self, feed: ConversationFeed) -> _FetchAfter:
        async def fetch(after: int) -> tuple[list[Delivery], bool]:
            page = await self._oc.realtime.history_after(self._actor, feed.conversation_id, after)
            return [
                Delivery(seq=message.seq, frame=encode(MessageNewFrame(message=message)))
                for message in page.items
            ], page.has_more

        return fetch

    def _current_seq(self, feed: ConversationFeed) -> _CurrentSeq:
        async def current() -> int:
            return await self._oc.realtime.current_seq(self._actor, feed.conversation_id)

        return current


def _error_frame(
    exc: OpenChanceError, ref: str | None, conversation_id: uuid.UUID | None
) -> ErrorFrame:
    return ErrorFrame(
        code=exc.code,
        message=exc.message,
        ref=ref,
        conversation_id=conversation_id,
        retry_after=exc.retry_after if isinstance(exc, RateLimited) else None,
    )


if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from openchance.messaging.feed import CurrentSeq as _CurrentSeq
    from openchance.messaging.feed import FetchAfter as _FetchAfter

    _Deliveries = AsyncIterator[Delivery]
