"""oc.payments.preview_funding: who may see it and which amount it previews."""

from __future__ import annotations

import pytest

from openchance import OpenChance
from openchance.errors import InvalidInput, NotFound
from openchance.models.challenges import RewardKind
from tests.factories.challenges import insert_challenge
from tests.factories.users import actor_for, create_user


class TestPreviewFunding:
    async def test_owner_sees_the_maximum_of_a_range(self, oc: OpenChance) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(
            oc, owner, reward_kind=RewardKind.RANGE, reward_min_minor=50_000,
            reward_max_minor=100_000,
        )  # fmt: skip
        actor = await actor_for(oc, "owner@example.org")
        assert (await oc.payments.preview_funding(actor, challenge)).prize_minor == 100_000
        chosen = await oc.payments.preview_funding(actor, challenge, 60_000)
        assert chosen.prize_minor == 60_000

    async def test_amount_outside_the_range_is_refused(self, oc: OpenChance) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(
            oc, owner, reward_kind=RewardKind.RANGE, reward_min_minor=50_000,
            reward_max_minor=100_000,
        )  # fmt: skip
        actor = await actor_for(oc, "owner@example.org")
        with pytest.raises(InvalidInput) as caught:
            await oc.payments.preview_funding(actor, challenge, 100_001)
        assert caught.value.code == "amount_out_of_range"

    async def test_a_solver_gets_not_found(self, oc: OpenChance) -> None:
        owner = await create_user(oc)
        await create_user(oc, email="solver@example.org")
        challenge = await insert_challenge(oc, owner)
        solver = await actor_for(oc, "solver@example.org")
        with pytest.raises(NotFound):
            await oc.payments.preview_funding(solver, challenge)
