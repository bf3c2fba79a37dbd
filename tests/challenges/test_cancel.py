"""Cancelling: the challenger before work starts, staff at any cancellable point."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from openchance import Actor, OpenChance, Role
from openchance.challenges.schemas import ChallengeCancellation, ChallengeRead
from openchance.errors import Conflict, NotFound, PermissionDenied
from openchance.models.audit import AuditEntry
from openchance.models.challenges import CancelReason, ChallengeStatus
from openchance.search.sync import INDEX_CHALLENGE
from tests.challenges.drafting import (
    draft,
    events_named,
    jobs_named,
    notifications_of,
    opened,
    person,
    set_columns,
)
from tests.factories.users import SYSTEM


def cancellation(reason: CancelReason, note: str | None = None) -> ChallengeCancellation:
    return ChallengeCancellation(reason=reason, note=note)


async def open_challenge(oc: OpenChance, owner: Actor) -> ChallengeRead:
    return await opened(oc, owner, SYSTEM)


class TestChallengerCancels:
    async def test_an_open_challenge_is_withdrawn_before_work(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await open_challenge(oc, ada)

        cancelled = await oc.challenges.cancel_challenge(
            ada, challenge.id, cancellation(CancelReason.BY_CHALLENGER_BEFORE_WORK)
        )

        assert cancelled.status is ChallengeStatus.CANCELLED
        assert cancelled.cancel_reason is CancelReason.BY_CHALLENGER_BEFORE_WORK
        (event,) = await events_named(oc, "challenge.cancelled")
        assert (event["previous_status"], event["by_staff"]) == ("open", False)

    async def test_a_challenge_in_review_can_be_withdrawn(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)

        cancelled = await oc.challenges.cancel_challenge(
            ada, challenge.id, cancellation(CancelReason.NO_SUITABLE_APPLICATIONS)
        )

        assert cancelled.status is ChallengeStatus.CANCELLED

    async def test_other_keeps_its_note(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await open_challenge(oc, ada)

        cancelled = await oc.challenges.cancel_challenge(
            ada, challenge.id, cancellation(CancelReason.OTHER, "Budget cut")
        )

        assert cancelled.cancel_note == "Budget cut"

    async def test_cancelling_a_published_challenge_reindexes_it(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await open_challenge(oc, ada)

        await oc.challenges.cancel_challenge(
            ada, challenge.id, cancellation(CancelReason.BY_CHALLENGER_BEFORE_WORK)
        )

        assert len(await jobs_named(oc, INDEX_CHALLENGE.name)) == 2  # opened, cancelled

    @pytest.mark.parametrize(
        "reason",
        [CancelReason.POLICY_VIOLATION, CancelReason.DUPLICATE, CancelReason.CLIENT_UNRESPONSIVE],
    )
    async def test_staff_reasons_are_not_the_challengers(
        self, oc: OpenChance, reason: CancelReason
    ) -> None:
        ada = await person(oc)
        challenge = await open_challenge(oc, ada)

        with pytest.raises(PermissionDenied) as caught:
            await oc.challenges.cancel_challenge(ada, challenge.id, cancellation(reason))

        assert caught.value.code == "cancel_reason_not_allowed"

    @pytest.mark.parametrize("status", [ChallengeStatus.IN_PROGRESS, ChallengeStatus.IN_REVIEW])
    async def test_once_work_started_the_challenger_cannot_cancel(
        self, oc: OpenChance, status: ChallengeStatus
    ) -> None:
        ada = await person(oc)
        challenge = await open_challenge(oc, ada)
        await set_columns(oc, challenge.id, status=status)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.cancel_challenge(
                ada, challenge.id, cancellation(CancelReason.BY_CHALLENGER_BEFORE_WORK)
            )

        assert caught.value.code == "work_started"

    async def test_a_draft_is_deleted_not_cancelled(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.cancel_challenge(
                ada, challenge.id, cancellation(CancelReason.BY_CHALLENGER_BEFORE_WORK)
            )

        assert caught.value.code == "invalid_transition"

    async def test_cancelling_twice_is_an_invalid_transition(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await open_challenge(oc, ada)
        reason = cancellation(CancelReason.BY_CHALLENGER_BEFORE_WORK)
        await oc.challenges.cancel_challenge(ada, challenge.id, reason)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.cancel_challenge(ada, challenge.id, reason)

        assert caught.value.code == "invalid_transition"

    async def test_a_solver_cannot_cancel_someone_elses_challenge(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc, await person(oc, "ada"))

        with pytest.raises(PermissionDenied) as caught:
            await oc.challenges.cancel_challenge(
                await person(oc, "bob"), challenge.id, cancellation(CancelReason.OTHER, "mine")
            )

        assert caught.value.code == "not_challenge_owner"

    async def test_someone_elses_draft_is_not_found(self, oc: OpenChance) -> None:
        challenge = await draft(oc, await person(oc, "ada"))

        with pytest.raises(NotFound):
            await oc.challenges.cancel_challenge(
                await person(oc, "bob"), challenge.id, cancellation(CancelReason.OTHER, "x")
            )


class TestStaffCancels:
    @pytest.mark.parametrize(
        "status",
        [
            ChallengeStatus.PENDING_REVIEW,
            ChallengeStatus.OPEN,
            ChallengeStatus.IN_PROGRESS,
            ChallengeStatus.IN_REVIEW,
        ],
    )
    async def test_staff_cancel_from_any_cancellable_status(
        self, oc: OpenChance, status: ChallengeStatus
    ) -> None:
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await open_challenge(oc, await person(oc))
        await set_columns(oc, challenge.id, status=status)

        cancelled = await oc.challenges.cancel_challenge(
            moderator, challenge.id, cancellation(CancelReason.CLIENT_UNRESPONSIVE)
        )

        assert cancelled.status is ChallengeStatus.CANCELLED

    async def test_a_staff_cancellation_is_audited_and_the_challenger_told(
        self, oc: OpenChance
    ) -> None:
        ada = await person(oc)
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await open_challenge(oc, ada)

        await oc.challenges.cancel_challenge(
            moderator, challenge.id, cancellation(CancelReason.DUPLICATE, "Same as #12")
        )

        async with oc.unit_of_work(read_only=True) as uow:
            entry = (
                await uow.session.scalars(
                    select(AuditEntry).where(AuditEntry.action == "challenge.cancel")
                )
            ).one()
        assert entry.actor_user_id == moderator.user_id
        assert entry.reason == "Same as #12"
        assert entry.details == {"reason": "duplicate", "from": "open"}
        kinds = [n.kind for n in await notifications_of(oc, ada.user_id)]
        assert "challenge.cancelled" in kinds
        (event,) = await events_named(oc, "challenge.cancelled")
        assert event["by_staff"] is True

    async def test_completed_work_cannot_be_cancelled(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc, await person(oc))
        await set_columns(oc, challenge.id, status=ChallengeStatus.COMPLETED)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.cancel_challenge(
                SYSTEM, challenge.id, cancellation(CancelReason.POLICY_VIOLATION)
            )

        assert caught.value.code == "invalid_transition"
