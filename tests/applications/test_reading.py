"""Reading applications: one, a challenge's, your own, staff's list, and the history."""

from __future__ import annotations

import pytest

from openchance import OpenChance, Role
from openchance.applications.schemas import ApplicationFilter, ApplicationsQuery
from openchance.errors import InvalidInput, NotFound, PermissionDenied
from tests.challenges.drafting import person
from tests.factories.applications import apply, open_challenge
from tests.factories.users import SYSTEM


class TestGetApplication:
    @pytest.mark.parametrize("who", ["solver", "challenger", "staff"])
    async def test_both_sides_and_staff_read_it(self, oc: OpenChance, who: str) -> None:
        owner = await person(oc, "chidi")
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc, owner)).id)
        reader = {
            "solver": sofia,
            "challenger": owner,
            "staff": await person(oc, "sam", Role.SUPPORT),
        }

        seen = await oc.applications.get_application(reader[who], application.id)

        assert seen.id == application.id
        assert seen.proposal_html == (
            "<p>I will build a <strong>gradient-boosted</strong> model and explain it.</p>"
        )
        assert seen.can_edit is (who == "solver")

    async def test_a_stranger_does_not_find_it(self, oc: OpenChance) -> None:
        application = await apply(oc, await person(oc, "sofia"), (await open_challenge(oc)).id)

        with pytest.raises(NotFound):
            await oc.applications.get_application(await person(oc, "eve"), application.id)

    async def test_an_unknown_id_is_not_found(self, oc: OpenChance) -> None:
        with pytest.raises(NotFound):
            await oc.applications.get_application(SYSTEM, (await open_challenge(oc)).id)


class TestApplicationHistory:
    async def test_every_change_is_listed_oldest_first_for_both_sides(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc, owner)).id)
        await oc.applications.shortlist_application(owner, application.id)
        await oc.applications.accept_application(owner, application.id)

        for reader in (sofia, owner):
            history = await oc.applications.application_history(reader, application.id)
            assert [(e.action, e.from_status, e.to_status) for e in history] == [
                ("submit", None, "submitted"),
                ("shortlist", "submitted", "shortlisted"),
                ("accept", "shortlisted", "accepted"),
            ]

    async def test_a_stranger_does_not_find_it(self, oc: OpenChance) -> None:
        application = await apply(oc, await person(oc, "sofia"), (await open_challenge(oc)).id)

        with pytest.raises(NotFound):
            await oc.applications.application_history(await person(oc, "eve"), application.id)


class TestListChallengeApplications:
    async def test_the_challenger_pages_through_them_newest_first(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)
        sent = [
            await apply(oc, await person(oc, name), challenge.id)
            for name in ("sofia", "satoshi", "grace")
        ]

        first = await oc.applications.list_challenge_applications(
            owner, challenge.id, ApplicationsQuery(limit=2)
        )
        assert first.next_cursor is not None
        rest = await oc.applications.list_challenge_applications(
            owner, challenge.id, ApplicationsQuery(limit=2, cursor=first.next_cursor)
        )

        ids = [item.id for item in first.items + rest.items]
        assert ids == [application.id for application in reversed(sent)]
        assert rest.next_cursor is None

    async def test_they_filter_by_status(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)
        kept = await apply(oc, await person(oc, "sofia"), challenge.id)
        await apply(oc, await person(oc, "satoshi"), challenge.id)
        await oc.applications.shortlist_application(owner, kept.id)

        page = await oc.applications.list_challenge_applications(
            owner, challenge.id, ApplicationsQuery(status="shortlisted")
        )

        assert [item.id for item in page.items] == [kept.id]

    async def test_a_solver_who_sees_the_challenge_may_not_list_them(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)
        sofia = await person(oc, "sofia")
        await apply(oc, sofia, challenge.id)

        with pytest.raises(PermissionDenied):
            await oc.applications.list_challenge_applications(sofia, challenge.id)

    async def test_staff_list_them(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)
        await apply(oc, await person(oc, "sofia"), challenge.id)

        page = await oc.applications.list_challenge_applications(SYSTEM, challenge.id)

        assert len(page.items) == 1

    async def test_a_foreign_cursor_is_refused(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)

        with pytest.raises(InvalidInput) as caught:
            await oc.applications.list_challenge_applications(
                owner, challenge.id, ApplicationsQuery(cursor="bm9wZQ")
            )

        assert caught.value.code == "invalid_cursor"


class TestListMyApplications:
    async def test_the_solver_sees_their_own_only(self, oc: OpenChance) -> None:
        sofia = await person(oc, "sofia")
        mine = await apply(oc, sofia, (await open_challenge(oc)).id)
        await apply(oc, await person(oc, "satoshi"), (await open_challenge(oc)).id)

        page = await oc.applications.list_my_applications(sofia)

        assert [item.id for item in page.items] == [mine.id]
        assert page.items[0].challenge.title == "Forecast bakery demand"

    async def test_they_filter_by_status(self, oc: OpenChance) -> None:
        sofia = await person(oc, "sofia")
        gone = await apply(oc, sofia, (await open_challenge(oc)).id)
        await apply(oc, sofia, (await open_challenge(oc)).id)
        await oc.applications.withdraw_application(sofia, gone.id)

        page = await oc.applications.list_my_applications(
            sofia, ApplicationsQuery(status="withdrawn")
        )

        assert [item.id for item in page.items] == [gone.id]


class TestListApplications:
    async def test_staff_filter_by_challenge_and_solver(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)
        sofia = await person(oc, "sofia")
        wanted = await apply(oc, sofia, challenge.id)
        await apply(oc, await person(oc, "satoshi"), challenge.id)
        await apply(oc, sofia, (await open_challenge(oc)).id)

        page = await oc.applications.list_applications(
            SYSTEM, ApplicationFilter(challenge_id=challenge.id, solver_id=sofia.user_id)
        )

        assert [item.id for item in page.items] == [wanted.id]

    async def test_others_may_not(self, oc: OpenChance) -> None:
        with pytest.raises(PermissionDenied):
            await oc.applications.list_applications(await person(oc, "eve"))
