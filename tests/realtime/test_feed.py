"""The seam between history and live messages: no duplicates, no gaps, in order."""

from __future__ import annotations

import uuid

from openchance.messaging.feed import ConversationFeed, Delivery


class FakeHistory:
    """The database: messages 1..last, read in pages."""

    def __init__(self, last: int, page: int = 3) -> None:
        self.last = last
        self.page = page
        self.reads: list[int] = []

    async def fetch(self, after: int) -> tuple[list[Delivery], bool]:
        self.reads.append(after)
        upto = min(self.last, after + self.page)
        return [d(seq) for seq in range(after + 1, upto + 1)], upto < self.last

    async def current(self) -> int:
        return self.last


def d(seq: int) -> Delivery:
    return Delivery(seq=seq, frame=f"m{seq}")


async def collect(feed: ConversationFeed, history: FakeHistory) -> list[int]:
    return [x.seq async for x in feed.replay(history.fetch, history.current)]


async def offer(feed: ConversationFeed, history: FakeHistory, seq: int) -> list[int]:
    return [x.seq async for x in feed.offer(d(seq), history.fetch)]


class TestReplay:
    async def test_everything_after_the_cursor_in_pages_and_in_order(self) -> None:
        history = FakeHistory(last=10)
        feed = ConversationFeed(uuid.uuid4(), after_seq=2)

        assert await collect(feed, history) == list(range(3, 11))
        assert history.reads == [2, 5, 8]

    async def test_without_a_cursor_only_what_comes_next(self) -> None:
        history = FakeHistory(last=10)
        feed = ConversationFeed(uuid.uuid4(), after_seq=None)

        assert await collect(feed, history) == []
        assert await offer(feed, history, 11) == [11]

    async def test_live_messages_held_during_the_replay_are_not_doubled(self) -> None:
        history = FakeHistory(last=6)
        feed = ConversationFeed(uuid.uuid4(), after_seq=0)
        # Announced while the subscription was being set up: 5 and 6 are in the database
        # too, 7 is newer than what the replay read.
        for seq in (6, 5, 7):
            assert await offer(feed, history, seq) == []
        history.last = 6

        delivered = await collect(feed, history)

        assert delivered == [1, 2, 3, 4, 5, 6, 7]


class TestLive:
    async def test_duplicates_are_dropped(self) -> None:
        history = FakeHistory(last=3)
        feed = ConversationFeed(uuid.uuid4(), after_seq=3)
        await collect(feed, history)
        history.last = 4

        assert await offer(feed, history, 4) == [4]
        assert await offer(feed, history, 4) == []
        assert await offer(feed, history, 2) == []

    async def test_a_gap_is_filled_from_the_database(self) -> None:
        history = FakeHistory(last=3)
        feed = ConversationFeed(uuid.uuid4(), after_seq=3)
        await collect(feed, history)
        history.last = 9  # 4..8 were never announced to us

        assert await offer(feed, history, 9) == [4, 5, 6, 7, 8, 9]
        assert await offer(feed, history, 5) == []

    async def test_out_of_order_announcements_are_delivered_in_order_once(self) -> None:
        history = FakeHistory(last=0)
        feed = ConversationFeed(uuid.uuid4(), after_seq=0)
        await collect(feed, history)
        delivered: list[int] = []
        history.last = 2
        delivered += await offer(feed, history, 2)  # 1 committed too, announced later
        delivered += await offer(feed, history, 1)
        history.last = 3
        delivered += await offer(feed, history, 3)

        assert delivered == [1, 2, 3]

    async def test_catch_up_reads_what_the_bus_lost(self) -> None:
        history = FakeHistory(last=2)
        feed = ConversationFeed(uuid.uuid4(), after_seq=2)
        await collect(feed, history)
        history.last = 5

        assert [x.seq async for x in feed.catch_up(history.fetch)] == [3, 4, 5]
        assert await offer(feed, history, 5) == []
