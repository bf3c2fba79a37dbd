"""oc.payments.preview_funding: who may see it and which amount it previews."""

from __future__ import annotations

import pytest

from openchance import OpenChance
from openchance.actor import Role
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

    async def test_staff_see_the_preview_of_any_challenge(self, oc: OpenChance) -> None:
        owner = await create_user(oc)
        await create_user(oc, email="support@example.org", role=Role.SUPPORT)
        challenge = await insert_challenge(oc, owner, reward_min_minor=100_000)
        support = await actor_for(oc, "support@example.org")

        preview = await oc.payments.preview_funding(support, challenge)

        assert preview.prize_minor == 100_000
        assert preview.challenger_fee_minor == 5_000  # 5 % by default

    async def test_a_milestone_reward_previews_each_milestone_in_order(
        self, oc: OpenChance
    ) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(
            oc, owner, milestones=[("Prototype", 30_000), ("Final model", 70_000)]
        )
        actor = await actor_for(oc, "owner@example.org")

        preview = await oc.payments.preview_funding(actor, challenge)

        assert preview.prize_minor == 100_000
        assert [(line.position, line.title, line.amount_minor) for line in preview.milestones] == [
            (1, "Prototype", 30_000),
            (2, "Final model", 70_000),
        ]
        assert [line.solver_fee_minor for line in preview.milestones] == [3_000, 7_000]

    async def test_several_winners_share_the_prize_by_its_split(self, oc: OpenChance) -> None:
        owner = await create_user(oc, email="owner@example.org")
        challenge = await insert_challenge(
            oc, owner, reward_min_minor=100_000, winners=3, prize_split=[50, 30, 20]
        )
        actor = await actor_for(oc, "owner@example.org")

        preview = await oc.payments.preview_funding(actor, challenge)

        assert [(line.rank, line.share_minor) for line in preview.winners] == [
            (1, 50_000),
            (2, 30_000),
            (3, 20_000),
        ]
        assert sum(line.net_minor for line in preview.winners) == preview.solver_receives_minor
