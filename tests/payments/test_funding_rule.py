"""OPENCHANCE_ESCROW_FUNDING_DEADLINE: the prize (or first milestone) in escrow before a
challenge opens (the default), before an application is accepted, or not required."""

from __future__ import annotations

from typing import Any

import pytest

from openchance import Actor, OpenChance
from openchance.errors import Conflict
from openchance.models.challenges import ChallengeStatus
from openchance.payments.funding_schemas import RefundRequest
from tests.factories.applications import apply, bid_data
from tests.factories.challenges import insert_challenge
from tests.factories.payments import fund
from tests.factories.users import actor_for, create_user

SYSTEM = Actor.system("tests")


async def draft(oc: OpenChance, **columns: Any) -> tuple[Actor, Any]:
    owner = await create_user(oc, email="owner@example.org")
    actor = await actor_for(oc, "owner@example.org")
    challenge = await insert_challenge(oc, owner, status=ChallengeStatus.DRAFT, **columns)
    return actor, challenge


async def applied(oc: OpenChance) -> tuple[Actor, Any, Any]:
    owner = await create_user(oc, email="owner@example.org")
    actor = await actor_for(oc, "owner@example.org")
    challenge = await insert_challenge(oc, owner)
    await create_user(oc, email="solver@example.org")
    solver = await actor_for(oc, "solver@example.org")
    application = await apply(oc, solver, challenge, bid=bid_data(amount=100_000))
    return actor, challenge, application


class TestBeforePublish:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"escrow_funding_deadline": "before_publish", "challenge_review_required": False}

    async def test_an_unfunded_draft_does_not_open(self, oc: OpenChance) -> None:
        owner, challenge = await draft(oc)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.submit_challenge(owner, challenge)
        assert caught.value.code == "challenge_not_funded"

    async def test_a_funded_draft_opens(self, oc: OpenChance) -> None:
        owner, challenge = await draft(oc)
        await fund(oc, owner, challenge)

        opened = await oc.challenges.submit_challenge(owner, challenge)

        assert opened.status is ChallengeStatus.OPEN

    async def test_a_milestone_reward_needs_its_first_milestone_only(self, oc: OpenChance) -> None:
        owner, challenge = await draft(oc, milestones=[("Data", 40_000), ("Model", 60_000)])
        await fund(oc, owner, challenge)

        opened = await oc.challenges.submit_challenge(owner, challenge)

        assert opened.status is ChallengeStatus.OPEN

    async def test_a_prize_refunded_after_opening_blocks_the_acceptance(
        self, oc: OpenChance
    ) -> None:
        owner_id = await create_user(oc, email="owner@example.org")
        owner = await actor_for(oc, "owner@example.org")
        challenge = await insert_challenge(oc, owner_id)
        funding = await fund(oc, owner, challenge)
        await create_user(oc, email="solver@example.org")
        solver = await actor_for(oc, "solver@example.org")
        application = await apply(oc, solver, challenge, bid=bid_data(amount=100_000))
        await oc.refunds.refund_funding(SYSTEM, funding.id, RefundRequest(reason="Mistake."))

        with pytest.raises(Conflict) as caught:
            await oc.applications.accept_application(owner, application.id)
        assert caught.value.code == "challenge_not_funded"


class TestBeforePublishWithReview:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"escrow_funding_deadline": "before_publish", "challenge_review_required": True}

    async def test_an_unfunded_draft_is_not_sent_to_review(self, oc: OpenChance) -> None:
        owner, challenge = await draft(oc)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.submit_challenge(owner, challenge)
        assert caught.value.code == "challenge_not_funded"


class TestBeforeAccept:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"escrow_funding_deadline": "before_accept", "challenge_review_required": False}

    async def test_an_unfunded_draft_opens(self, oc: OpenChance) -> None:
        owner, challenge = await draft(oc)

        opened = await oc.challenges.submit_challenge(owner, challenge)

        assert opened.status is ChallengeStatus.OPEN

    async def test_an_application_to_an_unfunded_challenge_is_not_accepted(
        self, oc: OpenChance
    ) -> None:
        owner, _, application = await applied(oc)

        with pytest.raises(Conflict) as caught:
            await oc.applications.accept_application(owner, application.id)
        assert caught.value.code == "challenge_not_funded"

    async def test_once_funded_the_application_is_accepted(self, oc: OpenChance) -> None:
        owner, challenge, application = await applied(oc)
        await fund(oc, owner, challenge)

        accepted = await oc.applications.accept_application(owner, application.id)

        assert accepted.status.value == "accepted"


class TestNotRequired:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"escrow_funding_deadline": "not_required", "challenge_review_required": False}

    async def test_an_unfunded_challenge_opens_and_accepts(self, oc: OpenChance) -> None:
        owner, _, application = await applied(oc)

        accepted = await oc.applications.accept_application(owner, application.id)

        assert accepted.status.value == "accepted"
