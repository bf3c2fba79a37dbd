"""The in-app notification feed: your own notifications, newest first, paged by cursor."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pydantic import ValidationError

from openchance import Actor, InvalidInput, NotAuthenticated, OpenChance
from openchance.db.types import utcnow
from openchance.models.notifications import Notification
from openchance.notifications.feed import notify
from openchance.notifications.schemas import MarkRead
from tests.factories.users import actor_for, create_user


async def _user(oc: OpenChance) -> Actor:
    email = f"user-{uuid.uuid4().hex[:8]}@example.org"
    await create_user(oc, email=email)
    return await actor_for(oc, email)


async def _notify(oc: OpenChance, actor: Actor, *titles: str) -> None:
    assert actor.user_id is not None
    for title in titles:
        async with oc.unit_of_work() as uow:
            await notify(uow, user_id=actor.user_id, kind="test", title=title, dedupe_key=title)


@pytest.fixture
async def ada(oc: OpenChance) -> Actor:
    return await _user(oc)


class TestNotify:
    async def test_the_same_fact_notifies_once(self, oc: OpenChance, ada: Actor) -> None:
        await _notify(oc, ada, "hello", "hello")

        page = await oc.notifications.list_notifications(ada)

        assert [item.title for item in page.items] == ["hello"]


class TestListNotifications:
    async def test_newest_first_with_the_unread_count(self, oc: OpenChance, ada: Actor) -> None:
        await _notify(oc, ada, "first", "second", "third")

        page = await oc.notifications.list_notifications(ada)

        assert [item.title for item in page.items] == ["third", "second", "first"]
        assert page.unread_count == 3
        assert page.next_cursor is None

    async def test_pages_follow_the_cursor_without_gaps_or_repeats(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        titles = [f"n{index}" for index in range(7)]
        await _notify(oc, ada, *titles)

        seen: list[str] = []
        cursor = None
        while True:
            page = await oc.notifications.list_notifications(ada, cursor=cursor, limit=3)
            seen += [item.title for item in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break

        assert seen == list(reversed(titles))

    async def test_notifications_at_the_same_instant_are_paged_by_id(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        assert ada.user_id is not None
        moment = utcnow() - timedelta(minutes=1)
        async with oc.unit_of_work() as uow:
            for index in range(5):
                uow.session.add(
                    Notification(
                        user_id=ada.user_id,
                        kind="test",
                        title=f"tie{index}",
                        dedupe_key=f"tie{index}",
                        created_at=moment,
                    )
                )

        first = await oc.notifications.list_notifications(ada, limit=2)
        second = await oc.notifications.list_notifications(ada, cursor=first.next_cursor, limit=2)
        third = await oc.notifications.list_notifications(ada, cursor=second.next_cursor, limit=2)

        ids = [item.id for page in (first, second, third) for item in page.items]
        assert len(ids) == len(set(ids)) == 5
        assert ids == sorted(ids, reverse=True)
        assert third.next_cursor is None

    async def test_a_new_notification_does_not_shift_the_next_page(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        await _notify(oc, ada, "a", "b", "c")
        first = await oc.notifications.list_notifications(ada, limit=2)

        await _notify(oc, ada, "d")
        second = await oc.notifications.list_notifications(ada, cursor=first.next_cursor, limit=2)

        assert [item.title for item in second.items] == ["a"]

    async def test_unread_only(self, oc: OpenChance, ada: Actor) -> None:
        await _notify(oc, ada, "old", "new")
        page = await oc.notifications.list_notifications(ada)
        await oc.notifications.mark_read(ada, MarkRead(ids=[page.items[1].id]))

        unread = await oc.notifications.list_notifications(ada, unread_only=True)

        assert [item.title for item in unread.items] == ["new"]
        assert unread.unread_count == 1

    async def test_only_your_own(self, oc: OpenChance, ada: Actor) -> None:
        grace = await _user(oc)
        await _notify(oc, grace, "for grace")

        page = await oc.notifications.list_notifications(ada)

        assert page.items == []
        assert page.unread_count == 0

    @pytest.mark.parametrize(
        "cursor", ["garbage", "eyJ0IjoxfQ", "eyJ0IjoiMjAyNS0wMS0wMVQwMDowMDowMCIsImkiOjF9"]
    )
    async def test_a_foreign_cursor_is_refused(
        self, oc: OpenChance, ada: Actor, cursor: str
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.notifications.list_notifications(ada, cursor=cursor)

        assert raised.value.code == "invalid_cursor"

    async def test_anonymous_visitors_have_no_feed(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.notifications.list_notifications(Actor.anonymous())


class TestMarkRead:
    async def test_marks_the_ones_named(self, oc: OpenChance, ada: Actor) -> None:
        await _notify(oc, ada, "a", "b", "c")
        page = await oc.notifications.list_notifications(ada)

        result = await oc.notifications.mark_read(ada, MarkRead(ids=[page.items[0].id]))

        assert (result.marked, result.unread_count) == (1, 2)
        after = await oc.notifications.list_notifications(ada)
        assert after.items[0].read_at is not None
        assert after.items[1].read_at is None

    async def test_marks_all(self, oc: OpenChance, ada: Actor) -> None:
        await _notify(oc, ada, "a", "b")

        result = await oc.notifications.mark_read(ada, MarkRead(all=True))

        assert (result.marked, result.unread_count) == (2, 0)
        assert await oc.notifications.unread_count(ada) == 0

    async def test_marking_again_changes_nothing(self, oc: OpenChance, ada: Actor) -> None:
        await _notify(oc, ada, "a")
        await oc.notifications.mark_read(ada, MarkRead(all=True))
        read = (await oc.notifications.list_notifications(ada)).items[0]

        result = await oc.notifications.mark_read(ada, MarkRead(ids=[read.id]))

        assert result.marked == 0
        again = (await oc.notifications.list_notifications(ada)).items[0]
        assert again.read_at == read.read_at

    async def test_someone_elses_are_passed_over(self, oc: OpenChance, ada: Actor) -> None:
        grace = await _user(oc)
        await _notify(oc, grace, "for grace")
        theirs = (await oc.notifications.list_notifications(grace)).items[0].id

        result = await oc.notifications.mark_read(ada, MarkRead(ids=[theirs]))

        assert result.marked == 0
        assert await oc.notifications.unread_count(grace) == 1

    def test_either_ids_or_all(self) -> None:
        with pytest.raises(ValidationError):
            MarkRead()
        with pytest.raises(ValidationError):
            MarkRead(ids=[uuid.uuid4()], all=True)
