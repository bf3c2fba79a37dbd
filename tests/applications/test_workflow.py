"""The application lifecycle table: every legal transition, and the rest refused."""

from __future__ import annotations

import itertools

import pytest

from openchance.applications.workflow import (
    EDITABLE_STATUSES,
    TERMINAL_STATUSES,
    TRANSITIONS,
    ApplicationAction,
    allowed_actions,
    next_status,
)
from openchance.errors import Conflict
from openchance.models.applications import ApplicationStatus

S = ApplicationStatus
A = ApplicationAction

EXPECTED = [
    (S.SUBMITTED, A.SHORTLIST, S.SHORTLISTED),
    (S.SUBMITTED, A.ACCEPT, S.ACCEPTED),
    (S.SHORTLISTED, A.ACCEPT, S.ACCEPTED),
    (S.SUBMITTED, A.REJECT, S.REJECTED),
    (S.SHORTLISTED, A.REJECT, S.REJECTED),
    (S.SUBMITTED, A.AUTO_REJECT, S.REJECTED),
    (S.SHORTLISTED, A.AUTO_REJECT, S.REJECTED),
    (S.SUBMITTED, A.WITHDRAW, S.WITHDRAWN),
    (S.SHORTLISTED, A.WITHDRAW, S.WITHDRAWN),
]
ALLOWED = {(current, action) for current, action, _ in EXPECTED}
REFUSED = [
    pair for pair in itertools.product(ApplicationStatus, ApplicationAction) if pair not in ALLOWED
]


class TestAllowedTransitions:
    @pytest.mark.parametrize(("current", "action", "target"), EXPECTED)
    def test_the_action_leads_to_its_status(
        self, current: ApplicationStatus, action: ApplicationAction, target: ApplicationStatus
    ) -> None:
        assert next_status(current, action) is target

    def test_the_table_holds_these_transitions_and_no_others(self) -> None:
        assert set(TRANSITIONS.items()) == {((c, a), t) for c, a, t in EXPECTED}


class TestRefusedTransitions:
    @pytest.mark.parametrize(("current", "action"), REFUSED)
    def test_anything_else_is_a_conflict(
        self, current: ApplicationStatus, action: ApplicationAction
    ) -> None:
        with pytest.raises(Conflict) as caught:
            next_status(current, action)

        assert caught.value.code == "invalid_transition"
        assert caught.value.context == {"from": current.value, "action": action.value}

    def test_accepting_twice_is_refused(self) -> None:
        with pytest.raises(Conflict, match="accepted cannot be accepted"):
            next_status(S.ACCEPTED, A.ACCEPT)

    def test_an_accepted_application_cannot_be_withdrawn(self) -> None:
        with pytest.raises(Conflict, match="accepted cannot be withdrawn"):
            next_status(S.ACCEPTED, A.WITHDRAW)

    def test_a_withdrawn_application_cannot_be_accepted(self) -> None:
        with pytest.raises(Conflict, match="withdrawn cannot be accepted"):
            next_status(S.WITHDRAWN, A.ACCEPT)


class TestStatusSets:
    @pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES))
    def test_nothing_leads_out_of_a_final_status(self, status: ApplicationStatus) -> None:
        assert allowed_actions(status) == frozenset()

    def test_only_a_submitted_application_is_editable(self) -> None:
        assert {S.SUBMITTED} == EDITABLE_STATUSES

    def test_a_shortlisted_application_may_be_accepted_rejected_or_withdrawn(self) -> None:
        assert allowed_actions(S.SHORTLISTED) == {A.ACCEPT, A.REJECT, A.AUTO_REJECT, A.WITHDRAW}
