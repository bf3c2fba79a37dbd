"""The lifecycle table: every legal transition, and illegal ones refused with a stable code."""

from __future__ import annotations

import itertools

import pytest

from openchance.challenges.workflow import (
    TERMINAL_STATUSES,
    TRANSITIONS,
    ChallengeAction,
    allowed_actions,
    next_status,
    sources_of,
)
from openchance.errors import Conflict
from openchance.models.challenges import ChallengeStatus

S = ChallengeStatus
A = ChallengeAction

EXPECTED = [
    (S.DRAFT, A.SUBMIT_FOR_REVIEW, S.PENDING_REVIEW),
    (S.DRAFT, A.PUBLISH, S.OPEN),
    (S.PENDING_REVIEW, A.APPROVE, S.OPEN),
    (S.PENDING_REVIEW, A.REJECT, S.DRAFT),
    (S.OPEN, A.START_WORK, S.IN_PROGRESS),
    (S.IN_PROGRESS, A.DELIVER, S.IN_REVIEW),
    (S.IN_REVIEW, A.REQUEST_CHANGES, S.IN_PROGRESS),
    (S.IN_REVIEW, A.RESUME_WORK, S.IN_PROGRESS),
    (S.IN_REVIEW, A.COMPLETE, S.COMPLETED),
    (S.PENDING_REVIEW, A.CANCEL, S.CANCELLED),
    (S.OPEN, A.CANCEL, S.CANCELLED),
    (S.IN_PROGRESS, A.CANCEL, S.CANCELLED),
    (S.IN_REVIEW, A.CANCEL, S.CANCELLED),
    (S.PENDING_REVIEW, A.EXPIRE, S.EXPIRED),
    (S.OPEN, A.EXPIRE, S.EXPIRED),
]
ALLOWED = {(current, action) for current, action, _ in EXPECTED}
REFUSED = [
    pair for pair in itertools.product(ChallengeStatus, ChallengeAction) if pair not in ALLOWED
]


class TestAllowedTransitions:
    @pytest.mark.parametrize(("current", "action", "target"), EXPECTED)
    def test_the_action_leads_to_its_status(
        self, current: ChallengeStatus, action: ChallengeAction, target: ChallengeStatus
    ) -> None:
        assert next_status(current, action) is target

    def test_the_table_holds_these_transitions_and_no_others(self) -> None:
        assert set(TRANSITIONS.items()) == {((c, a), t) for c, a, t in EXPECTED}


class TestRefusedTransitions:
    @pytest.mark.parametrize(("current", "action"), REFUSED)
    def test_anything_else_is_a_conflict(
        self, current: ChallengeStatus, action: ChallengeAction
    ) -> None:
        with pytest.raises(Conflict) as caught:
            next_status(current, action)

        assert caught.value.code == "invalid_transition"
        assert caught.value.context == {"from": current.value, "action": action.value}

    def test_a_draft_cannot_be_approved(self) -> None:
        with pytest.raises(Conflict, match="draft cannot approve"):
            next_status(S.DRAFT, A.APPROVE)

    def test_a_completed_challenge_cannot_be_cancelled(self) -> None:
        with pytest.raises(Conflict, match="completed cannot cancel"):
            next_status(S.COMPLETED, A.CANCEL)

    def test_an_expired_challenge_cannot_expire_again(self) -> None:
        with pytest.raises(Conflict):
            next_status(S.EXPIRED, A.EXPIRE)

    def test_work_in_progress_does_not_expire(self) -> None:
        with pytest.raises(Conflict):
            next_status(S.IN_PROGRESS, A.EXPIRE)


class TestTableQueries:
    @pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES))
    def test_no_action_leads_out_of_a_terminal_status(self, status: ChallengeStatus) -> None:
        assert allowed_actions(status) == frozenset()

    def test_expiry_applies_to_open_and_pending_challenges(self) -> None:
        assert sources_of(A.EXPIRE) == {S.OPEN, S.PENDING_REVIEW}

    def test_cancelling_applies_from_review_to_delivery(self) -> None:
        assert sources_of(A.CANCEL) == {S.PENDING_REVIEW, S.OPEN, S.IN_PROGRESS, S.IN_REVIEW}

    def test_a_draft_can_only_be_submitted_or_published(self) -> None:
        assert allowed_actions(S.DRAFT) == {A.SUBMIT_FOR_REVIEW, A.PUBLISH}
