"""The challenger's decisions: shortlist, reject and accept, and what accepting does."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from openchance import OpenChance, Role
from openchance.applications.acceptance import AUTO_REJECT_NOTE
from openchance.applications.schemas import ApplicationDecision
from openchance.challenges.schemas import ChallengeCancellation
from openchance.errors import Conflict, NotFound, PermissionDenied
from openchance.models.audit import AuditEntry
from openchance.models.challenges import CancelReason
from tests.challenges.drafting import events_named, notifications_of, person
from tests.factories.applications import (
    application_row,
    apply,
    bid_data,
    challenge_row,
    open_challenge,
)


def note(text: str) -> ApplicationDecision:
    return ApplicationDecision(note=text)


async def audit_actions(oc: OpenChance) -> list[str]:
    async with oc.unit_of_work(read_only=True) as uow:
        return list(await uow.session.scalars(select(AuditEntry.action)))


async def kinds_for(oc: OpenChance, user_id: object) -> list[str]:
    return [n.kind for n in await notifications_of(oc, user_id)]  # type: ignore[arg-type]


class TestShortlistApplication:
    async def test_the_challenger_shortlists_and_the_solver_is_told(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc, owner)).id)

        shortlisted = await oc.applications.shortlist_application(
            owner, application.id, note("Strong proposal.")
        )

        assert shortlisted.status == "shortlisted"
        assert "application.shortlisted" in await kinds_for(oc, sofia.user_id)
        history = await oc.applications.application_history(sofia, application.id)
        assert (history[-1].action, history[-1].note) == ("shortlist", "Strong proposal.")
        assert history[-1].actor is not None
        assert history[-1].actor.id == owner.user_id
        assert await events_named(oc, "application.shortlisted")

    async def test_the_solver_cannot_shortlist_their_own(self, oc: OpenChance) -> None:
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc)).id)

        with pytest.raises(PermissionDenied) as caught:
            await oc.applications.shortlist_application(sofia, application.id)

        assert caught.value.code == "not_challenge_owner"

    async def test_shortlisting_twice_is_refused(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        application = await apply(
            oc, await person(oc, "sofia"), (await open_challenge(oc, owner)).id
        )
        await oc.applications.shortlist_application(owner, application.id)

        with pytest.raises(Conflict) as caught:
            await oc.applications.shortlist_application(owner, application.id)

        assert caught.value.code == "invalid_transition"

    async def test_staff_shortlisting_is_audited(self, oc: OpenChance) -> None:
        moderator = await person(oc, "morgan", Role.MODERATOR)
        application = await apply(oc, await person(oc, "sofia"), (await open_challenge(oc)).id)

        await oc.applications.shortlist_application(moderator, application.id)

        assert "application.shortlist" in await audit_actions(oc)

    async def test_the_challengers_own_decisions_are_not_audited(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        application = await apply(
            oc, await person(oc, "sofia"), (await open_challenge(oc, owner)).id
        )

        await oc.applications.shortlist_application(owner, application.id)

        assert "application.shortlist" not in await audit_actions(oc)


class TestRejectApplication:
    async def test_the_solver_is_told_with_the_note(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc, owner)).id)

        rejected = await oc.applications.reject_application(
            owner, application.id, note("We need R, not Python.")
        )

        assert rejected.status == "rejected"
        (notice,) = [
            n for n in await notifications_of(oc, sofia.user_id) if n.kind == "application.rejected"
        ]
        assert notice.body == "We need R, not Python."
        (event,) = await events_named(oc, "application.rejected")
        assert event["automatic"] is False

    async def test_a_stranger_does_not_find_it(self, oc: OpenChance) -> None:
        application = await apply(oc, await person(oc, "sofia"), (await open_challenge(oc)).id)

        with pytest.raises(NotFound):
            await oc.applications.reject_application(await person(oc, "eve"), application.id)

    async def test_a_withdrawn_application_cannot_be_rejected(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc, owner)).id)
        await oc.applications.withdraw_application(sofia, application.id)

        with pytest.raises(Conflict) as caught:
            await oc.applications.reject_application(owner, application.id)

        assert caught.value.code == "invalid_transition"

    async def test_staff_rejecting_is_audited(self, oc: OpenChance) -> None:
        support = await person(oc, "sam", Role.SUPPORT)
        application = await apply(oc, await person(oc, "sofia"), (await open_challenge(oc)).id)

        await oc.applications.reject_application(support, application.id, note("Spam."))

        assert "application.reject" in await audit_actions(oc)


class TestAcceptApplication:
    async def test_accepting_starts_the_work(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        sofia = await person(oc, "sofia")
        challenge = await open_challenge(oc, owner)
        application = await apply(oc, sofia, challenge.id)

        accepted = await oc.applications.accept_application(owner, application.id, note("Welcome!"))

        assert accepted.status == "accepted"
        assert accepted.challenge.status == "in_progress"
        assert (await challenge_row(oc, challenge.id)).status == "in_progress"
        assert "application.accepted" in await kinds_for(oc, sofia.user_id)
        (event,) = await events_named(oc, "application.accepted")
        assert event["started_work"] is True
        assert await events_named(oc, "challenge.work_started")
        assert (await application_row(oc, application.id)).decided_by == owner.user_id

    async def test_a_shortlisted_application_can_be_accepted(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        application = await apply(
            oc, await person(oc, "sofia"), (await open_challenge(oc, owner)).id
        )
        await oc.applications.shortlist_application(owner, application.id)

        accepted = await oc.applications.accept_application(owner, application.id)

        history = await oc.applications.application_history(owner, application.id)
        assert accepted.status == "accepted"
        assert [e.action for e in history] == ["submit", "shortlist", "accept"]

    async def test_the_other_applications_are_rejected_courteously(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)
        sofia, satoshi, grace = [await person(oc, n) for n in ("sofia", "satoshi", "grace")]
        chosen = await apply(oc, sofia, challenge.id)
        waiting = await apply(oc, satoshi, challenge.id)
        shortlisted = await apply(oc, grace, challenge.id)
        await oc.applications.shortlist_application(owner, shortlisted.id)

        await oc.applications.accept_application(owner, chosen.id)

        for other, solver in ((waiting, satoshi), (shortlisted, grace)):
            assert (await application_row(oc, other.id)).status == "rejected"
            last = (await oc.applications.application_history(solver, other.id))[-1]
            assert (last.action, last.actor, last.note) == ("auto_reject", None, AUTO_REJECT_NOTE)
            assert "application.rejected" in await kinds_for(oc, solver.user_id)
        automatic = [e for e in await events_named(oc, "application.rejected") if e["automatic"]]
        assert len(automatic) == 2

    async def test_withdrawn_applications_stay_withdrawn(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)
        satoshi = await person(oc, "satoshi")
        gone = await apply(oc, satoshi, challenge.id)
        await oc.applications.withdraw_application(satoshi, gone.id)
        chosen = await apply(oc, await person(oc, "sofia"), challenge.id)

        await oc.applications.accept_application(owner, chosen.id)

        assert (await application_row(oc, gone.id)).status == "withdrawn"

    async def test_accepting_twice_is_refused(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        application = await apply(
            oc, await person(oc, "sofia"), (await open_challenge(oc, owner)).id
        )
        await oc.applications.accept_application(owner, application.id)

        with pytest.raises(Conflict) as caught:
            await oc.applications.accept_application(owner, application.id)

        assert caught.value.code == "invalid_transition"

    async def test_a_rejected_application_cannot_be_accepted(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        application = await apply(
            oc, await person(oc, "sofia"), (await open_challenge(oc, owner)).id
        )
        await oc.applications.reject_application(owner, application.id)

        with pytest.raises(Conflict) as caught:
            await oc.applications.accept_application(owner, application.id)

        assert caught.value.code == "invalid_transition"

    async def test_accepting_on_a_cancelled_challenge_is_refused(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)
        application = await apply(oc, await person(oc, "sofia"), challenge.id)
        await oc.challenges.cancel_challenge(
            owner,
            challenge.id,
            ChallengeCancellation(reason=CancelReason.BY_CHALLENGER_BEFORE_WORK),
        )

        with pytest.raises(Conflict) as caught:
            await oc.applications.accept_application(owner, application.id)

        assert caught.value.code == "challenge_not_open"
        assert (await application_row(oc, application.id)).status == "submitted"

    async def test_the_solver_cannot_accept_their_own(self, oc: OpenChance) -> None:
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc)).id)

        with pytest.raises(PermissionDenied) as caught:
            await oc.applications.accept_application(sofia, application.id)

        assert caught.value.code == "not_challenge_owner"

    async def test_a_stranger_does_not_find_it(self, oc: OpenChance) -> None:
        application = await apply(oc, await person(oc, "sofia"), (await open_challenge(oc)).id)

        with pytest.raises(NotFound):
            await oc.applications.accept_application(await person(oc, "eve"), application.id)

    async def test_staff_accepting_is_audited(self, oc: OpenChance) -> None:
        admin = await person(oc, "avery", Role.ADMIN)
        application = await apply(oc, await person(oc, "sofia"), (await open_challenge(oc)).id)

        await oc.applications.accept_application(admin, application.id)

        assert "application.accept" in await audit_actions(oc)


class TestAcceptOnMultiWinnerChallenges:
    async def test_each_winner_is_accepted_and_the_rest_rejected_after_the_last(
        self, oc: OpenChance
    ) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner, winners=2)
        first, second, third = [
            await apply(oc, await person(oc, name), challenge.id, bid=bid_data("500.00"))
            for name in ("sofia", "satoshi", "grace")
        ]

        await oc.applications.accept_application(owner, first.id)
        assert (await application_row(oc, third.id)).status == "submitted"
        await oc.applications.accept_application(owner, second.id)

        assert (await application_row(oc, third.id)).status == "rejected"
        assert (await challenge_row(oc, challenge.id)).status == "in_progress"
        started = [e["started_work"] for e in await events_named(oc, "application.accepted")]
        assert started == [True, False]

    async def test_no_more_than_the_winners_are_accepted(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner, winners=2)
        applications = [
            await apply(oc, await person(oc, name), challenge.id)
            for name in ("sofia", "satoshi", "grace")
        ]
        for application in applications[:2]:
            await oc.applications.accept_application(owner, application.id)

        with pytest.raises(Conflict) as caught:
            await oc.applications.accept_application(owner, applications[2].id)

        assert caught.value.code == "invalid_transition"  # it was rejected with the last place
