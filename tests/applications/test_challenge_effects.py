"""What applications change on the challenges side: who sees a private challenge, and who
hears of a clarification."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from openchance import Actor, OpenChance
from openchance.challenges.clarifications import clarification_recipients
from openchance.challenges.repository import load_challenge
from openchance.challenges.schemas import ClarificationCreate
from openchance.errors import NotFound
from openchance.models.challenges import ChallengeInvite, InviteStatus, Visibility
from tests.challenges.drafting import notifications_of, person
from tests.factories.applications import apply, bid_data, open_challenge
from tests.factories.challenges import insert_challenge


async def private_challenge(oc: OpenChance, owner: Actor, *invitees: Actor) -> uuid.UUID:
    assert owner.user_id is not None
    return await insert_challenge(
        oc,
        owner.user_id,
        visibility=Visibility.PRIVATE,
        invitees=[invitee.user_id for invitee in invitees if invitee.user_id is not None],
    )


async def decline_invites(oc: OpenChance, challenge_id: uuid.UUID) -> None:
    async with oc.unit_of_work() as uow:
        await uow.session.execute(
            update(ChallengeInvite)
            .where(ChallengeInvite.challenge_id == challenge_id)
            .values(status=InviteStatus.DECLINED)
        )


async def recipients(oc: OpenChance, challenge_id: uuid.UUID) -> list[uuid.UUID]:
    async with oc.unit_of_work(read_only=True) as uow:
        return await clarification_recipients(uow, await load_challenge(uow, challenge_id))


class TestApplicantsSeePrivateChallenges:
    async def test_an_applicant_keeps_seeing_it_after_declining_the_invitation(
        self, oc: OpenChance
    ) -> None:
        owner, sofia = await person(oc, "chidi"), await person(oc, "sofia")
        challenge_id = await private_challenge(oc, owner, sofia)
        await apply(oc, sofia, challenge_id, bid=bid_data("900.00"))
        await decline_invites(oc, challenge_id)

        seen = await oc.challenges.get_challenge(sofia, challenge_id)

        assert seen.id == challenge_id

    async def test_after_withdrawing_it_is_hidden_again(self, oc: OpenChance) -> None:
        owner, sofia = await person(oc, "chidi"), await person(oc, "sofia")
        challenge_id = await private_challenge(oc, owner, sofia)
        application = await apply(oc, sofia, challenge_id, bid=bid_data("900.00"))
        await decline_invites(oc, challenge_id)
        await oc.applications.withdraw_application(sofia, application.id)

        with pytest.raises(NotFound):
            await oc.challenges.get_challenge(sofia, challenge_id)


class TestClarificationRecipients:
    async def test_applicants_are_told_once_and_the_challenger_never(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        sofia, satoshi, grace = [await person(oc, n) for n in ("sofia", "satoshi", "grace")]
        challenge_id = await private_challenge(oc, owner, sofia, satoshi, grace)
        for solver in (sofia, satoshi, grace):
            await apply(oc, solver, challenge_id, bid=bid_data("900.00"))

        told = await recipients(oc, challenge_id)
        assert sorted(told) == sorted([sofia.user_id, satoshi.user_id, grace.user_id])  # type: ignore[type-var]
        assert owner.user_id not in told

    async def test_withdrawn_applicants_are_not_told(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)
        sofia, satoshi = await person(oc, "sofia"), await person(oc, "satoshi")
        await apply(oc, sofia, challenge.id)
        gone = await apply(oc, satoshi, challenge.id)
        await oc.applications.withdraw_application(satoshi, gone.id)

        assert await recipients(oc, challenge.id) == [sofia.user_id]

    async def test_rejected_applicants_are_still_told(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, challenge.id)
        await oc.applications.reject_application(owner, application.id)

        assert await recipients(oc, challenge.id) == [sofia.user_id]

    async def test_an_applicant_gets_the_notification(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)
        sofia = await person(oc, "sofia")
        await apply(oc, sofia, challenge.id)

        await oc.challenges.add_clarification(
            owner, challenge.id, ClarificationCreate(body="Data covers 2023 only.")
        )

        kinds = [n.kind for n in await notifications_of(oc, sofia.user_id)]
        assert "challenge.clarified" in kinds
