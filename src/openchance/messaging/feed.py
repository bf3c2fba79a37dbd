"""Delivering one conversation to one subscriber: history from the database first, then
live messages, each exactly once and in ``seq`` order.

The seam between the two is where messages get lost or doubled, so it lives here, apart
from any socket. The real-time layer follows the conversation on the bus *before* it
reads history; live messages that arrive meanwhile are held. After the replay the held
ones are offered in order, and every live message after that too: a ``seq`` at or below
the last one delivered is a duplicate and dropped; the next one is delivered; one beyond
it means the bus skipped or reordered something (several posters, a lost announcement),
so the missing range is read from the database before going on. Messages are stored
before they are announced, so what the bus mentions is always in the database already.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message ready to send: its number and its encoded ``message.new`` frame."""

    seq: int
    frame: str


FetchAfter = Callable[[int], Awaitable[tuple[list[Delivery], bool]]]
"""``fetch(after)``: the next page of messages with ``seq > after``, oldest first, and
whether more follow."""
CurrentSeq = Callable[[], Awaitable[int]]
"""The conversation's newest ``seq`` now."""


class ConversationFeed:
    """The delivery state of one subscription. Not thread- or task-safe: one task drives
    it (the connection's sender), which is what keeps its output ordered."""

    def __init__(self, conversation_id: uuid.UUID, after_seq: int | None) -> None:
        self.conversation_id = conversation_id
        self.after_seq = after_seq
        self.last_seq: int | None = None
        """The newest ``seq`` delivered (None until the replay has started)."""
        self._held: list[Delivery] = []
        self._live = False

    @property
    def live(self) -> bool:
        """The replay is over: live messages are offered, no longer held."""
        return self._live

    def hold(self, delivery: Delivery) -> None:
        """A live message that arrived before the replay finished."""
        self._held.append(delivery)

    async def replay(self, fetch: FetchAfter, current_seq: CurrentSeq) -> AsyncIterator[Delivery]:
        """Everything after ``after_seq`` from the database (nothing when it is None: the
        subscriber wants only what comes from now on), then the held live messages."""
        if self.after_seq is None:
            self.last_seq = await current_seq()
        else:
            self.last_seq = self.after_seq
            async for delivery in self._fetch_missing(fetch):
                yield delivery
        self._live = True
        held, self._held = sorted(self._held, key=lambda d: d.seq), []
        for delivery in held:
            async for out in self.offer(delivery, fetch):
                yield out

    async def offer(self, delivery: Delivery, fetch: FetchAfter) -> AsyncIterator[Delivery]:
        """A live message: what to send for it (nothing, it, or the gap before it and it)."""
        if not self._live or self.last_seq is None:
            self.hold(delivery)
            return
        if delivery.seq <= self.last_seq:
            return
        if delivery.seq > self.last_seq + 1:
            async for missing in self._fetch_missing(fetch, until=delivery.seq):
                yield missing
        if delivery.seq > self.last_seq:
            # Only reached when the database had nothing up to it (it always has: stored
            # before announced); deliver rather than hold the conversation back forever.
            self.last_seq = delivery.seq
            yield delivery

    async def catch_up(self, fetch: FetchAfter) -> AsyncIterator[Delivery]:
        """Whatever the database has after the last delivered message (after the bus lost
        messages: a resubscription, an overflow)."""
        if not self._live:
            return
        async for delivery in self._fetch_missing(fetch):
            yield delivery

    async def _fetch_missing(
        self, fetch: FetchAfter, *, until: int | None = None
    ) -> AsyncIterator[Delivery]:
        assert self.last_seq is not None
        while until is None or self.last_seq < until:
            page, has_more = await fetch(self.last_seq)
            progressed = False
            for delivery in page:
                if delivery.seq > self.last_seq:
                    self.last_seq = delivery.seq
                    progressed = True
                    yield delivery
            if not has_more or not progressed:
                return
