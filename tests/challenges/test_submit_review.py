"""Submitting a draft, and the moderators' review (approve or reject with a reason)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import anyio
import pytest
from pydantic import ValidationError
from sqlalchemy import select

from openchance import Actor, OpenChance, Role
from openchance.challenges.expiry import EXPIRE_CHALLENGE
from openchance.challenges.schemas import ChallengeRejection
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from openchance.models.audit import AuditEntry
from openchance.models.challenges import ChallengeStatus
from openchance.search.sync import INDEX_CHALLENGE
from tests.challenges.drafting import (
    draft,
    events_named,
    jobs_named,
    notifications_of,
    person,
    set_columns,
)
from tests.factories.users import SYSTEM


async def audit_actions(oc: OpenChance) -> list[tuple[str, str | None]]:
    async with oc.unit_of_work(read_only=True) as uow:
        rows = await uow.session.scalars(select(AuditEntry).order_by(AuditEntry.occurred_at))
        return [(entry.action, entry.reason) for entry in rows]


class TestSubmitWithReview:
    async def test_a_draft_goes_to_review(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)

        submitted = await oc.challenges.submit_challenge(ada, challenge.id)

        assert submitted.status is ChallengeStatus.PENDING_REVIEW
        assert submitted.submitted_at is not None
        assert submitted.published_at is None
        assert (await events_named(oc, "challenge.submitted"))[0]["challenge_id"] == str(
            challenge.id
        )

    async def test_a_challenge_in_review_is_not_public_yet(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)

        with pytest.raises(NotFound):
            await oc.challenges.get_challenge(Actor.anonymous(), challenge.id)
        assert await jobs_named(oc, INDEX_CHALLENGE.name) == []

    async def test_submitting_twice_is_an_invalid_transition(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.submit_challenge(ada, challenge.id)

        assert caught.value.code == "invalid_transition"
        assert caught.value.context == {"from": "pending_review", "action": "submit_for_review"}

    async def test_a_deadline_that_passed_while_drafting_is_refused(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await set_columns(oc, challenge.id, deadline=utcnow() - timedelta(hours=1))

        with pytest.raises(InvalidInput) as caught:
            await oc.challenges.submit_challenge(ada, challenge.id)

        assert caught.value.code == "deadline_in_past"
        assert caught.value.errors[0]["field"] == "deadline"

    async def test_only_the_challenger_submits(self, oc: OpenChance) -> None:
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await draft(oc, await person(oc))

        with pytest.raises(PermissionDenied):
            await oc.challenges.submit_challenge(moderator, challenge.id)


class TestSubmitWithoutReview:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"challenge_review_required": False}

    async def test_a_draft_opens_at_once(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)

        opened = await oc.challenges.submit_challenge(ada, challenge.id)

        assert opened.status is ChallengeStatus.OPEN
        assert opened.published_at is not None
        (event,) = await events_named(oc, "challenge.published")
        assert event["approved_by"] is None

    async def test_opening_indexes_it_and_schedules_its_expiry(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)

        await oc.challenges.submit_challenge(ada, challenge.id)

        assert [job.payload for job in await jobs_named(oc, INDEX_CHALLENGE.name)] == [
            {"challenge_id": str(challenge.id)}
        ]
        (expiry,) = await jobs_named(oc, EXPIRE_CHALLENGE.name)
        assert expiry.run_at == challenge.deadline


class TestApproveChallenge:
    async def test_a_moderator_opens_a_challenge_in_review(self, oc: OpenChance) -> None:
        ada = await person(oc)
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)

        approved = await oc.challenges.approve_challenge(moderator, challenge.id)

        assert approved.status is ChallengeStatus.OPEN
        assert approved.published_at is not None
        assert (await events_named(oc, "challenge.published"))[0]["approved_by"] == str(
            moderator.user_id
        )
        assert [job.run_at for job in await jobs_named(oc, EXPIRE_CHALLENGE.name)] == [
            challenge.deadline
        ]
        assert len(await jobs_named(oc, INDEX_CHALLENGE.name)) == 1

    async def test_the_approval_is_audited_and_the_challenger_told(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)

        await oc.challenges.approve_challenge(SYSTEM, challenge.id)

        assert ("challenge.approve", None) in await audit_actions(oc)
        assert [n.kind for n in await notifications_of(oc, ada.user_id)] == ["challenge.approved"]

    async def test_a_solver_cannot_approve(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)

        with pytest.raises(PermissionDenied):
            await oc.challenges.approve_challenge(ada, challenge.id)

    async def test_support_staff_do_not_review(self, oc: OpenChance) -> None:
        support = await person(oc, "help", Role.SUPPORT)
        challenge = await draft(oc, await person(oc))

        with pytest.raises(PermissionDenied):
            await oc.challenges.approve_challenge(support, challenge.id)

    async def test_an_anonymous_visitor_cannot_approve(self, oc: OpenChance) -> None:
        challenge = await draft(oc, await person(oc))

        with pytest.raises(NotAuthenticated):
            await oc.challenges.approve_challenge(Actor.anonymous(), challenge.id)

    async def test_a_draft_cannot_be_approved(self, oc: OpenChance) -> None:
        challenge = await draft(oc, await person(oc))

        with pytest.raises(Conflict) as caught:
            await oc.challenges.approve_challenge(SYSTEM, challenge.id)

        assert caught.value.code == "invalid_transition"

    async def test_approving_twice_is_an_invalid_transition(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)
        await oc.challenges.approve_challenge(SYSTEM, challenge.id)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.approve_challenge(SYSTEM, challenge.id)

        assert caught.value.code == "invalid_transition"
        assert len(await events_named(oc, "challenge.published")) == 1

    async def test_a_deadline_passed_in_the_queue_is_refused(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)
        await set_columns(oc, challenge.id, deadline=utcnow() - timedelta(minutes=5))

        with pytest.raises(InvalidInput) as caught:
            await oc.challenges.approve_challenge(SYSTEM, challenge.id)

        assert caught.value.code == "deadline_in_past"


class TestRejectChallenge:
    async def test_it_goes_back_to_draft_with_a_reason_the_challenger_sees(
        self, oc: OpenChance
    ) -> None:
        ada = await person(oc)
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)

        await oc.challenges.reject_challenge(
            moderator, challenge.id, ChallengeRejection(reason="Name the data's licence.")
        )

        seen = await oc.challenges.get_challenge(ada, challenge.id)
        assert seen.status is ChallengeStatus.DRAFT
        assert seen.review_note == "Name the data's licence."
        assert seen.can_edit is True

    async def test_the_challenger_is_notified_and_the_rejection_audited(
        self, oc: OpenChance
    ) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)

        await oc.challenges.reject_challenge(
            SYSTEM, challenge.id, ChallengeRejection(reason="Vague")
        )

        (notification,) = await notifications_of(oc, ada.user_id)
        assert (notification.kind, notification.body) == ("challenge.rejected", "Vague")
        assert ("challenge.reject", "Vague") in await audit_actions(oc)
        assert (await events_named(oc, "challenge.rejected"))[0]["reason"] == "Vague"

    async def test_a_resubmission_clears_the_old_note(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)
        await oc.challenges.reject_challenge(SYSTEM, challenge.id, ChallengeRejection(reason="No"))

        resubmitted = await oc.challenges.submit_challenge(ada, challenge.id)

        assert resubmitted.status is ChallengeStatus.PENDING_REVIEW
        assert resubmitted.review_note is None

    async def test_a_second_rejection_notifies_again(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        for reason in ("First", "Second"):
            await oc.challenges.submit_challenge(ada, challenge.id)
            await oc.challenges.reject_challenge(
                SYSTEM, challenge.id, ChallengeRejection(reason=reason)
            )

        assert sorted(n.body for n in await notifications_of(oc, ada.user_id)) == [
            "First",
            "Second",
        ]

    async def test_an_open_challenge_cannot_be_rejected(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)
        await oc.challenges.approve_challenge(SYSTEM, challenge.id)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.reject_challenge(
                SYSTEM, challenge.id, ChallengeRejection(reason="x")
            )

        assert caught.value.code == "invalid_transition"

    async def test_a_solver_cannot_reject(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)

        with pytest.raises(PermissionDenied):
            await oc.challenges.reject_challenge(
                await person(oc, "bob"), challenge.id, ChallengeRejection(reason="x")
            )

    def test_a_reason_is_required(self) -> None:
        with pytest.raises(ValidationError):
            ChallengeRejection(reason="   ")


@pytest.mark.postgres_only
class TestRacingReviews:
    async def test_two_moderators_approving_at_once_open_it_once(self, oc: OpenChance) -> None:
        ada = await person(oc)
        moderators = [await person(oc, f"mod{n}", Role.MODERATOR) for n in range(2)]
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)
        outcomes: list[str] = []

        async def approve(moderator: Actor) -> None:
            try:
                await oc.challenges.approve_challenge(moderator, challenge.id)
                outcomes.append("approved")
            except Conflict as error:
                outcomes.append(error.code)

        async with anyio.create_task_group() as group:
            for moderator in moderators:
                group.start_soon(approve, moderator)

        assert sorted(outcomes) == ["approved", "invalid_transition"]
        assert len(await events_named(oc, "challenge.published")) == 1
        assert len(await jobs_named(oc, EXPIRE_CHALLENGE.name)) == 1

    async def test_an_approval_racing_a_rejection_decides_once(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)
        outcomes: list[str] = []

        async def decide(reject: bool) -> None:
            try:
                if reject:
                    await oc.challenges.reject_challenge(
                        SYSTEM, challenge.id, ChallengeRejection(reason="No")
                    )
                else:
                    await oc.challenges.approve_challenge(SYSTEM, challenge.id)
                outcomes.append("done")
            except Conflict as error:
                outcomes.append(error.code)

        async with anyio.create_task_group() as group:
            group.start_soon(decide, True)
            group.start_soon(decide, False)

        assert sorted(outcomes) == ["done", "invalid_transition"]
        decided = await oc.challenges.get_challenge(ada, challenge.id)
        assert decided.status in (ChallengeStatus.OPEN, ChallengeStatus.DRAFT)
