"""Your own challenges, and staff's list (the moderation queue), page by page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openchance import Actor, OpenChance, Role
from openchance.challenges.schemas import ChallengeFilter, ChallengeOrder, MyChallengesQuery
from openchance.db.types import utcnow
from openchance.errors import InvalidInput, NotAuthenticated, PermissionDenied
from openchance.models.challenges import ChallengeStatus
from tests.challenges.drafting import draft, opened, person, set_columns
from tests.factories.users import SYSTEM


class TestListMyChallenges:
    async def test_your_challenges_in_every_status_newest_first(self, oc: OpenChance) -> None:
        ada, bob = await person(oc, "ada"), await person(oc, "bob")
        first = await draft(oc, ada, title="First")
        second = await opened(oc, ada, SYSTEM, title="Second")
        await draft(oc, bob, title="Not yours")

        page = await oc.challenges.list_my_challenges(ada)

        assert [item.id for item in page.items] == [second.id, first.id]
        assert page.next_cursor is None

    async def test_filtered_by_status(self, oc: OpenChance) -> None:
        ada = await person(oc)
        await draft(oc, ada)
        live = await opened(oc, ada, SYSTEM)

        page = await oc.challenges.list_my_challenges(
            ada, MyChallengesQuery(status=ChallengeStatus.OPEN)
        )

        assert [item.id for item in page.items] == [live.id]

    async def test_pages_follow_one_another_without_gaps(self, oc: OpenChance) -> None:
        ada = await person(oc)
        made = [(await draft(oc, ada, title=f"C{n}")).id for n in range(5)]

        seen, cursor = [], None
        while True:
            page = await oc.challenges.list_my_challenges(
                ada, MyChallengesQuery(limit=2, cursor=cursor)
            )
            seen += [item.id for item in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break

        assert seen == list(reversed(made))

    async def test_a_foreign_cursor_is_refused(self, oc: OpenChance) -> None:
        with pytest.raises(InvalidInput) as caught:
            await oc.challenges.list_my_challenges(
                await person(oc), MyChallengesQuery(cursor="not-a-cursor")
            )

        assert caught.value.code == "invalid_cursor"

    async def test_anonymous_visitors_have_no_challenges(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.challenges.list_my_challenges(Actor.anonymous())


class TestListChallenges:
    async def test_the_moderation_queue_is_longest_waiting_first(self, oc: OpenChance) -> None:
        ada = await person(oc)
        moderator = await person(oc, "mod", Role.MODERATOR)
        waiting = []
        for n in range(3):
            challenge = await draft(oc, ada, title=f"Q{n}")
            await oc.challenges.submit_challenge(ada, challenge.id)
            await set_columns(oc, challenge.id, submitted_at=utcnow() - timedelta(hours=10 - n))
            waiting.append(challenge.id)
        await draft(oc, ada, title="Still a draft")

        first = await oc.challenges.list_challenges(
            moderator, ChallengeFilter(status=ChallengeStatus.PENDING_REVIEW, limit=2)
        )
        await oc.challenges.approve_challenge(moderator, waiting[0])  # the queue moves on
        rest = await oc.challenges.list_challenges(
            moderator,
            ChallengeFilter(
                status=ChallengeStatus.PENDING_REVIEW, limit=2, cursor=first.next_cursor
            ),
        )

        assert [item.id for item in first.items] == waiting[:2]
        assert [item.id for item in rest.items] == waiting[2:]
        assert rest.next_cursor is None

    async def test_filtered_by_owner_and_category(self, oc: OpenChance) -> None:
        ada, bob = await person(oc, "ada"), await person(oc, "bob")
        wanted = await draft(oc, ada, category="design")
        await draft(oc, ada, category="research-science")
        await draft(oc, bob, category="design")

        page = await oc.challenges.list_challenges(
            SYSTEM, ChallengeFilter(owner_id=ada.user_id, category="design")
        )

        assert [item.id for item in page.items] == [wanted.id]
        assert page.items[0].owner.display_name == "Ada"

    async def test_a_cursor_of_another_order_is_refused(self, oc: OpenChance) -> None:
        ada = await person(oc)
        for _ in range(2):
            await draft(oc, ada)
        newest = await oc.challenges.list_challenges(SYSTEM, ChallengeFilter(limit=1))

        with pytest.raises(InvalidInput):
            await oc.challenges.list_challenges(
                SYSTEM,
                ChallengeFilter(order=ChallengeOrder.SUBMITTED, cursor=newest.next_cursor),
            )

    async def test_solvers_do_not_see_the_list(self, oc: OpenChance) -> None:
        with pytest.raises(PermissionDenied):
            await oc.challenges.list_challenges(await person(oc))
