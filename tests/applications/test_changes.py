"""The solver's changes: editing while submitted, and withdrawing before acceptance."""

from __future__ import annotations

import pytest

from openchance import OpenChance
from openchance.applications.schemas import ApplicationDecision, ApplicationEdit
from openchance.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.challenges.drafting import events_named, notifications_of, person
from tests.factories.applications import apply, bid_data, history_actions, open_challenge
from tests.factories.users import SYSTEM


def edit(**fields: object) -> ApplicationEdit:
    return ApplicationEdit.model_validate(fields)


class TestEditApplication:
    async def test_the_solver_changes_the_fields_sent(self, oc: OpenChance) -> None:
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc)).id)

        edited = await oc.applications.edit_application(
            sofia, application.id, edit(bid=bid_data("1000.00"), estimated_days=21)
        )

        assert edited.bid.amount_minor == 100_000
        assert edited.estimated_days == 21
        assert edited.proposal == application.proposal

    async def test_an_edit_is_in_the_history_with_the_fields_changed(self, oc: OpenChance) -> None:
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc)).id)

        await oc.applications.edit_application(
            sofia, application.id, edit(proposal="Better.", portfolio_links=[])
        )

        history = await oc.applications.application_history(sofia, application.id)
        assert [entry.action for entry in history] == ["submit", "edit"]
        assert history[1].note == "Changed: portfolio_links, proposal"
        (event,) = await events_named(oc, "application.edited")
        assert event["fields"] == ["portfolio_links", "proposal"]

    async def test_an_empty_edit_changes_nothing(self, oc: OpenChance) -> None:
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc)).id)

        await oc.applications.edit_application(sofia, application.id, edit())

        assert await history_actions(oc, application.id) == ["submit"]

    async def test_the_new_bid_is_checked_against_the_challenge(self, oc: OpenChance) -> None:
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc)).id)

        with pytest.raises(InvalidInput) as caught:
            await oc.applications.edit_application(
                sofia, application.id, edit(bid=bid_data("9999.00"))
            )

        assert caught.value.code == "bid_out_of_range"

    async def test_a_shortlisted_application_is_locked(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc, owner)).id)
        await oc.applications.shortlist_application(owner, application.id)

        with pytest.raises(Conflict) as caught:
            await oc.applications.edit_application(sofia, application.id, edit(estimated_days=3))

        assert caught.value.code == "application_locked"

    async def test_the_challenger_cannot_edit_it(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        application = await apply(
            oc, await person(oc, "sofia"), (await open_challenge(oc, owner)).id
        )

        with pytest.raises(PermissionDenied) as caught:
            await oc.applications.edit_application(owner, application.id, edit(estimated_days=3))

        assert caught.value.code == "not_applicant"

    async def test_a_stranger_does_not_find_it(self, oc: OpenChance) -> None:
        application = await apply(oc, await person(oc, "sofia"), (await open_challenge(oc)).id)

        with pytest.raises(NotFound):
            await oc.applications.edit_application(
                await person(oc, "eve"), application.id, edit(estimated_days=3)
            )

    def test_null_is_refused(self) -> None:
        with pytest.raises(ValueError, match="cannot be cleared"):
            edit(proposal=None)


class TestWithdrawApplication:
    async def test_the_solver_withdraws_a_submitted_application(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc, owner)).id)

        withdrawn = await oc.applications.withdraw_application(
            sofia, application.id, ApplicationDecision(note="Booked elsewhere.")
        )

        assert withdrawn.status == "withdrawn"
        assert withdrawn.can_edit is False
        history = await oc.applications.application_history(owner, application.id)
        assert (history[-1].action, history[-1].from_status, history[-1].note) == (
            "withdraw",
            "submitted",
            "Booked elsewhere.",
        )

    async def test_the_challenger_is_notified(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc, owner)).id)

        await oc.applications.withdraw_application(sofia, application.id)

        kinds = [n.kind for n in await notifications_of(oc, owner.user_id)]
        assert "application.withdrawn" in kinds
        (event,) = await events_named(oc, "application.withdrawn")
        assert event["previous_status"] == "submitted"

    async def test_a_shortlisted_application_can_be_withdrawn(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc, owner)).id)
        await oc.applications.shortlist_application(owner, application.id)

        withdrawn = await oc.applications.withdraw_application(sofia, application.id)

        assert withdrawn.status == "withdrawn"

    async def test_an_accepted_application_cannot_be_withdrawn(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc, owner)).id)
        await oc.applications.accept_application(owner, application.id)

        with pytest.raises(Conflict) as caught:
            await oc.applications.withdraw_application(sofia, application.id)

        assert caught.value.code == "invalid_transition"

    async def test_the_challenger_cannot_withdraw_it(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        application = await apply(
            oc, await person(oc, "sofia"), (await open_challenge(oc, owner)).id
        )

        with pytest.raises(PermissionDenied) as caught:
            await oc.applications.withdraw_application(owner, application.id)

        assert caught.value.code == "not_applicant"

    async def test_staff_cannot_withdraw_it_for_the_solver(self, oc: OpenChance) -> None:
        application = await apply(oc, await person(oc, "sofia"), (await open_challenge(oc)).id)

        with pytest.raises(PermissionDenied):
            await oc.applications.withdraw_application(SYSTEM, application.id)
