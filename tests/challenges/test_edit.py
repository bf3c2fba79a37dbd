"""Changing a challenge's substance (until the first application) and deleting drafts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openchance import OpenChance, Role
from openchance.challenges.expiry import EXPIRE_CHALLENGE
from openchance.challenges.schemas import ChallengeEdit
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from openchance.files.jobs import DELETE_FILE
from openchance.models.challenges import ChallengeAttachment, ChallengeStatus
from openchance.search.sync import INDEX_CHALLENGE
from tests.challenges.drafting import (
    draft,
    events_named,
    jobs_named,
    opened,
    person,
    row,
    set_columns,
)


def edit(**fields: object) -> ChallengeEdit:
    return ChallengeEdit.model_validate(fields)


class TestUpdateChallenge:
    async def test_the_fields_sent_change_and_the_rest_stays(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)

        changed = await oc.challenges.update_challenge(
            ada, challenge.id, edit(title="Forecast croissant demand", skills=["R"])
        )

        assert changed.title == "Forecast croissant demand"
        assert changed.skills == ["r"]
        assert changed.summary == challenge.summary
        assert changed.reward == challenge.reward

    async def test_an_edit_is_recorded_with_the_fields_sent(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)

        await oc.challenges.update_challenge(ada, challenge.id, edit(terms="MIT", title="New"))

        (event,) = await events_named(oc, "challenge.edited")
        assert event["fields"] == ["terms", "title"]

    async def test_the_reward_and_its_milestones_are_replaced(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(
            oc,
            ada,
            reward={"kind": "milestones", "currency": "EUR", "milestones": [
                {"title": "One", "amount": "10"}, {"title": "Two", "amount": "20"},
            ]},
        )  # fmt: skip

        changed = await oc.challenges.update_challenge(
            ada,
            challenge.id,
            edit(reward={"kind": "milestones", "currency": "EUR",
                         "milestones": [{"title": "Only", "amount": "99.99"}]}),
        )  # fmt: skip

        assert [m.title for m in changed.reward.milestones] == ["Only"]
        assert changed.reward.max.amount_minor == 9999

    async def test_a_new_category_is_looked_up_by_slug(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)

        changed = await oc.challenges.update_challenge(ada, challenge.id, edit(category="design"))

        assert changed.category.name == "Design"

    async def test_more_winners_without_a_split_get_equal_shares(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)

        changed = await oc.challenges.update_challenge(ada, challenge.id, edit(winners=4))

        assert changed.prize_split == [25, 25, 25, 25]

    async def test_a_split_that_no_longer_fits_the_winners_is_refused(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada, winners=2, prize_split=[70, 30])

        with pytest.raises(InvalidInput) as caught:
            await oc.challenges.update_challenge(ada, challenge.id, edit(prize_split=[50, 30, 20]))

        assert caught.value.code == "prize_split_mismatch"
        assert caught.value.errors[0]["field"] == "prize_split"

    async def test_milestones_need_a_single_winner(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada, winners=2)
        steps = {
            "kind": "milestones",
            "currency": "EUR",
            "milestones": [{"title": "a", "amount": "5"}],
        }

        with pytest.raises(InvalidInput) as caught:
            await oc.challenges.update_challenge(ada, challenge.id, edit(reward=steps))

        assert caught.value.code == "milestones_single_winner"

    async def test_an_earlier_deadline_may_not_leave_milestones_behind(
        self, oc: OpenChance
    ) -> None:
        ada = await person(oc)
        due = utcnow() + timedelta(days=20)
        milestone = {"title": "a", "amount": "5", "due_at": due.isoformat()}
        steps = {"kind": "milestones", "currency": "EUR", "milestones": [milestone]}
        challenge = await draft(oc, ada, reward=steps)

        with pytest.raises(InvalidInput) as caught:
            await oc.challenges.update_challenge(
                ada, challenge.id, edit(deadline=(due - timedelta(days=1)).isoformat())
            )

        assert caught.value.code == "milestone_after_deadline"

    async def test_a_refused_edit_changes_nothing(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada, winners=2)
        steps = {
            "kind": "milestones",
            "currency": "EUR",
            "milestones": [{"title": "a", "amount": "5"}],
        }

        with pytest.raises(InvalidInput):
            await oc.challenges.update_challenge(ada, challenge.id, edit(reward=steps, title="X"))

        assert await oc.challenges.get_challenge(ada, challenge.id) == challenge

    async def test_someone_else_may_not_edit(self, oc: OpenChance) -> None:
        ada, bob = await person(oc, "ada"), await person(oc, "bob")
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await opened(oc, ada, moderator)

        with pytest.raises(PermissionDenied) as caught:
            await oc.challenges.update_challenge(bob, challenge.id, edit(title="Mine now"))

        assert caught.value.code == "not_challenge_owner"

    async def test_staff_do_not_edit_a_challengers_text(self, oc: OpenChance) -> None:
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await draft(oc, await person(oc))

        with pytest.raises(PermissionDenied):
            await oc.challenges.update_challenge(moderator, challenge.id, edit(title="Better"))

    async def test_someone_elses_draft_is_not_found(self, oc: OpenChance) -> None:
        challenge = await draft(oc, await person(oc, "ada"))

        with pytest.raises(NotFound):
            await oc.challenges.update_challenge(
                await person(oc, "bob"), challenge.id, edit(title="x")
            )

    async def test_after_the_first_application_the_substance_is_locked(
        self, oc: OpenChance
    ) -> None:
        ada = await person(oc)
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await opened(oc, ada, moderator)
        await set_columns(oc, challenge.id, application_count=1)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.update_challenge(ada, challenge.id, edit(title="Changed"))

        assert caught.value.code == "challenge_locked"
        assert (await oc.challenges.get_challenge(ada, challenge.id)).can_edit is False

    @pytest.mark.parametrize(
        "status",
        [ChallengeStatus.IN_PROGRESS, ChallengeStatus.COMPLETED, ChallengeStatus.CANCELLED],
    )
    async def test_a_challenge_past_open_is_locked(
        self, oc: OpenChance, status: ChallengeStatus
    ) -> None:
        ada = await person(oc)
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await opened(oc, ada, moderator)
        await set_columns(oc, challenge.id, status=status)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.update_challenge(ada, challenge.id, edit(title="Changed"))

        assert caught.value.code == "challenge_locked"

    async def test_editing_an_open_challenge_reindexes_it(self, oc: OpenChance) -> None:
        ada = await person(oc)
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await opened(oc, ada, moderator)
        before = len(await jobs_named(oc, INDEX_CHALLENGE.name))

        await oc.challenges.update_challenge(ada, challenge.id, edit(summary="Sharper"))

        assert len(await jobs_named(oc, INDEX_CHALLENGE.name)) == before + 1

    async def test_a_new_deadline_on_an_open_challenge_moves_its_expiry(
        self, oc: OpenChance
    ) -> None:
        ada = await person(oc)
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await opened(oc, ada, moderator)
        later = challenge.deadline + timedelta(days=7)

        await oc.challenges.update_challenge(ada, challenge.id, edit(deadline=later.isoformat()))

        runs = sorted(job.run_at for job in await jobs_named(oc, EXPIRE_CHALLENGE.name))
        assert runs == [challenge.deadline, later]


class TestDeleteChallenge:
    async def test_a_draft_is_deleted(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)

        await oc.challenges.delete_challenge(ada, challenge.id)

        assert await row(oc, challenge.id) is None
        assert len(await events_named(oc, "challenge.deleted")) == 1

    async def test_the_attachments_files_go_with_it(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        async with oc.unit_of_work() as uow:
            for name in ("brief.pdf", "data.csv"):
                uow.session.add(
                    ChallengeAttachment(
                        challenge_id=challenge.id, key=f"challenges/{challenge.id}/{name}",
                        filename=name, content_type="text/plain", size_bytes=3,
                        uploaded_by=ada.user_id, created_at=utcnow(),
                    )
                )  # fmt: skip

        await oc.challenges.delete_challenge(ada, challenge.id)

        deleted = sorted(job.payload["key"] for job in await jobs_named(oc, DELETE_FILE.name))
        assert deleted == [
            f"challenges/{challenge.id}/brief.pdf",
            f"challenges/{challenge.id}/data.csv",
        ]

    async def test_a_submitted_challenge_is_cancelled_not_deleted(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.delete_challenge(ada, challenge.id)

        assert caught.value.code == "only_drafts_deletable"
        assert await row(oc, challenge.id) is not None

    async def test_someone_else_may_not_delete(self, oc: OpenChance) -> None:
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await draft(oc, await person(oc))

        with pytest.raises(PermissionDenied):
            await oc.challenges.delete_challenge(moderator, challenge.id)

    async def test_deleting_twice_is_not_found(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.delete_challenge(ada, challenge.id)

        with pytest.raises(NotFound):
            await oc.challenges.delete_challenge(ada, challenge.id)
