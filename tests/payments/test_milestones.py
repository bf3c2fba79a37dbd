"""oc.milestones: winners deliver, the challenger approves, asks for changes or releases
part; an unanswered delivery is released automatically; money leaves escrow only once."""

from __future__ import annotations

import uuid
from datetime import timedelta

import anyio
import pytest
from sqlalchemy import select, update

from openchance import Actor, OpenChance
from openchance.challenges.schemas import ChallengeCancellation, ChallengeEdit
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from openchance.models.challenges import CancelReason, Challenge, ChallengeStatus
from openchance.models.jobs import Job
from openchance.models.ledger import AccountPurpose, LedgerTransaction, OwnerKind
from openchance.models.notifications import Notification
from openchance.models.payments import EscrowMilestone, EscrowState, MilestoneStatus
from openchance.payments.milestone_schemas import (
    MilestoneChangeRequest,
    MilestoneRead,
    MilestoneRelease,
    MilestoneSubmit,
)
from openchance.payments.schemas import AccountRef
from tests.factories.challenges import insert_challenge
from tests.factories.payments import Winners, accepted_winners, fund
from tests.factories.users import actor_for, create_user
from tests.support.jobs import drain

SYSTEM = Actor.system("tests")
DELIVERY = MilestoneSubmit(note="The model and its report are in the shared folder.")


async def balance(
    oc: OpenChance, purpose: AccountPurpose, owner_kind: OwnerKind = OwnerKind.SYSTEM,
    owner_id: uuid.UUID | None = None,
) -> int:  # fmt: skip
    account = await oc.ledger.find_account(
        SYSTEM, AccountRef(purpose=purpose, currency="EUR", owner_kind=owner_kind,
                           owner_id=owner_id),
    )  # fmt: skip
    return 0 if account is None else account.balance_minor


async def payable(oc: OpenChance, solver: Actor) -> int:
    return await balance(oc, AccountPurpose.SOLVER_PAYABLE, OwnerKind.USER, solver.user_id)


async def milestones_of(oc: OpenChance, winners: Winners) -> list[MilestoneRead]:
    return await oc.milestones.list_milestones(winners.owner, winners.challenge_id)


async def funded_winner(oc: OpenChance, **options: object) -> tuple[Winners, MilestoneRead]:
    """One winner accepted on a funded 1000.00 EUR prize; their whole-prize milestone."""
    winners = await accepted_winners(oc, **options)  # type: ignore[arg-type]
    await fund(oc, winners.owner, winners.challenge_id)
    [milestone] = await milestones_of(oc, winners)
    return winners, milestone


async def submitted(oc: OpenChance, **options: object) -> tuple[Winners, MilestoneRead]:
    winners, milestone = await funded_winner(oc, **options)
    return winners, await oc.milestones.submit_milestone(winners.solvers[0], milestone.id,
                                                         DELIVERY)  # fmt: skip


async def challenge_status(oc: OpenChance, challenge_id: uuid.UUID) -> ChallengeStatus:
    async with oc.unit_of_work(read_only=True) as uow:
        challenge = await uow.session.get(Challenge, challenge_id)
        assert challenge is not None
        return challenge.status


async def release_count(oc: OpenChance) -> int:
    async with oc.unit_of_work(read_only=True) as uow:
        rows = await uow.session.scalars(
            select(LedgerTransaction.id).where(LedgerTransaction.kind == "escrow_release")
        )
        return len(list(rows))


async def make_auto_release_due(oc: OpenChance, milestone_id: uuid.UUID) -> None:
    """Move the submission's auto-release (and its job) into the past."""
    past = utcnow() - timedelta(minutes=1)
    async with oc.unit_of_work() as uow:
        await uow.session.execute(
            update(EscrowMilestone)
            .where(EscrowMilestone.id == milestone_id)
            .values(auto_release_at=past)
        )
        await uow.session.execute(
            update(Job).where(Job.name == "payments.auto_release_milestone").values(run_at=past)
        )


class TestAcceptanceOpensMilestones:
    async def test_a_winner_gets_the_whole_prize_to_deliver(self, oc: OpenChance) -> None:
        winners = await accepted_winners(oc)

        [milestone] = await milestones_of(oc, winners)

        assert milestone.position == 0
        assert milestone.status is MilestoneStatus.IN_PROGRESS
        assert milestone.solver_id == winners.solvers[0].user_id
        assert milestone.funded is False

    async def test_a_milestone_reward_gives_one_per_milestone_in_order(
        self, oc: OpenChance
    ) -> None:
        winners = await accepted_winners(oc, milestones=[("Data", 40_000), ("Model", 60_000)])

        milestones = await milestones_of(oc, winners)

        assert [(m.position, m.title) for m in milestones] == [(1, "Data"), (2, "Model")]

    async def test_a_stranger_cannot_list_them(self, oc: OpenChance) -> None:
        winners = await accepted_winners(oc)
        await create_user(oc, email="stranger@example.org")
        stranger = await actor_for(oc, "stranger@example.org")

        with pytest.raises(NotFound):
            await oc.milestones.list_milestones(stranger, winners.challenge_id)


class TestSubmitMilestone:
    async def test_the_winner_delivers_and_the_auto_release_is_set(self, oc: OpenChance) -> None:
        winners, milestone = await submitted(oc)

        assert milestone.status is MilestoneStatus.SUBMITTED
        assert milestone.submitted_at is not None
        assert milestone.auto_release_at == milestone.submitted_at + timedelta(days=14)
        assert await challenge_status(oc, winners.challenge_id) is ChallengeStatus.IN_REVIEW

    async def test_the_challenger_is_notified(self, oc: OpenChance) -> None:
        winners, _ = await submitted(oc)

        async with oc.unit_of_work(read_only=True) as uow:
            kinds = list(
                await uow.session.scalars(
                    select(Notification.kind).where(Notification.user_id == winners.owner.user_id)
                )
            )
        assert "milestone.submitted" in kinds

    async def test_an_unfunded_milestone_cannot_be_delivered(self, oc: OpenChance) -> None:
        winners = await accepted_winners(oc)
        [milestone] = await milestones_of(oc, winners)

        with pytest.raises(Conflict) as caught:
            await oc.milestones.submit_milestone(winners.solvers[0], milestone.id, DELIVERY)
        assert caught.value.code == "milestone_not_funded"

    async def test_the_challenger_cannot_deliver(self, oc: OpenChance) -> None:
        winners, milestone = await funded_winner(oc)

        with pytest.raises(PermissionDenied) as caught:
            await oc.milestones.submit_milestone(winners.owner, milestone.id, DELIVERY)
        assert caught.value.code == "not_milestone_solver"

    async def test_a_delivered_milestone_cannot_be_delivered_again(self, oc: OpenChance) -> None:
        winners, milestone = await submitted(oc)

        with pytest.raises(Conflict) as caught:
            await oc.milestones.submit_milestone(winners.solvers[0], milestone.id, DELIVERY)
        assert caught.value.code == "invalid_transition"


class TestApproveMilestone:
    async def test_approval_pays_the_solver_and_the_platform_and_empties_escrow(
        self, oc: OpenChance
    ) -> None:
        winners, milestone = await submitted(oc)

        approved = await oc.milestones.approve_milestone(winners.owner, milestone.id)

        assert approved.status is MilestoneStatus.RELEASED
        assert approved.remaining_minor == 0
        assert await payable(oc, winners.solvers[0]) == 90_000  # 1000.00 - 10 % solver fee
        # the 10 % solver fee and the 5 % challenger fee (no fixed fee by default)
        assert await balance(oc, AccountPurpose.PLATFORM_FEES) == 10_000 + 5_000
        escrow = await balance(oc, AccountPurpose.ESCROW, OwnerKind.CHALLENGE, winners.challenge_id)
        assert escrow == 0
        assert (await oc.ledger.check_invariants(SYSTEM)).ok

    async def test_the_last_release_completes_the_challenge_and_the_escrow(
        self, oc: OpenChance
    ) -> None:
        winners, milestone = await submitted(oc)

        await oc.milestones.approve_milestone(winners.owner, milestone.id)

        assert await challenge_status(oc, winners.challenge_id) is ChallengeStatus.COMPLETED
        escrow = await oc.escrow.get_escrow(winners.owner, winners.challenge_id)
        assert escrow.state is EscrowState.RELEASED

    async def test_a_repeated_approval_releases_once(self, oc: OpenChance) -> None:
        winners, milestone = await submitted(oc)

        first = await oc.milestones.approve_milestone(winners.owner, milestone.id)
        again = await oc.milestones.approve_milestone(winners.owner, milestone.id)

        assert again == first
        assert await release_count(oc) == 1

    async def test_the_solver_cannot_approve(self, oc: OpenChance) -> None:
        winners, milestone = await submitted(oc)

        with pytest.raises(PermissionDenied) as caught:
            await oc.milestones.approve_milestone(winners.solvers[0], milestone.id)
        assert caught.value.code == "not_challenge_owner"

    async def test_staff_cannot_approve_for_the_challenger(self, oc: OpenChance) -> None:
        _winners, milestone = await submitted(oc)

        with pytest.raises(PermissionDenied):
            await oc.milestones.approve_milestone(SYSTEM, milestone.id)

    async def test_work_not_delivered_cannot_be_approved(self, oc: OpenChance) -> None:
        winners, milestone = await funded_winner(oc)

        with pytest.raises(Conflict) as caught:
            await oc.milestones.approve_milestone(winners.owner, milestone.id)
        assert caught.value.code == "invalid_transition"

    async def test_racing_approvals_release_once(self, oc: OpenChance) -> None:
        winners, milestone = await submitted(oc)
        outcomes: list[str] = []

        async def approve(key: str) -> None:
            try:
                await oc.milestones.approve_milestone(
                    winners.owner, milestone.id, idempotency_key=key
                )
                outcomes.append("released")
            except Conflict as refused:
                outcomes.append(refused.code)

        async with anyio.create_task_group() as group:
            for attempt in range(5):
                group.start_soon(approve, f"approve-{attempt}")

        assert sorted(outcomes) == ["invalid_transition"] * 4 + ["released"]
        assert await release_count(oc) == 1
        assert await payable(oc, winners.solvers[0]) == 90_000


class TestRequestChanges:
    async def test_the_delivery_goes_back_to_work(self, oc: OpenChance) -> None:
        winners, milestone = await submitted(oc)

        back = await oc.milestones.request_changes(
            winners.owner, milestone.id, MilestoneChangeRequest(note="Add the 2024 data.")
        )

        assert back.status is MilestoneStatus.IN_PROGRESS
        assert back.auto_release_at is None
        assert back.change_request_note == "Add the 2024 data."
        assert await challenge_status(oc, winners.challenge_id) is ChallengeStatus.IN_PROGRESS

    async def test_the_auto_release_of_a_sent_back_delivery_does_nothing(
        self, oc: OpenChance
    ) -> None:
        winners, milestone = await submitted(oc)
        await oc.milestones.request_changes(
            winners.owner, milestone.id, MilestoneChangeRequest(note="Add the 2024 data.")
        )

        await make_auto_release_due(oc, milestone.id)
        await drain(oc)

        assert await release_count(oc) == 0


class TestPartialRelease:
    async def test_part_of_the_share_is_released_and_the_rest_stays(self, oc: OpenChance) -> None:
        winners, milestone = await funded_winner(oc)

        part = await oc.milestones.release_milestone(
            winners.owner, milestone.id, MilestoneRelease(amount_minor=30_000)
        )

        assert part.status is MilestoneStatus.IN_PROGRESS
        assert (part.released_minor, part.remaining_minor) == (30_000, 70_000)
        assert await payable(oc, winners.solvers[0]) == 27_000

    async def test_more_than_remains_is_refused(self, oc: OpenChance) -> None:
        winners, milestone = await funded_winner(oc)

        with pytest.raises(InvalidInput) as caught:
            await oc.milestones.release_milestone(
                winners.owner, milestone.id, MilestoneRelease(amount_minor=100_001)
            )
        assert caught.value.code == "amount_exceeds_remaining"

    async def test_releasing_the_rest_releases_the_milestone(self, oc: OpenChance) -> None:
        winners, milestone = await funded_winner(oc)
        await oc.milestones.release_milestone(
            winners.owner, milestone.id, MilestoneRelease(amount_minor=30_000)
        )

        rest = await oc.milestones.release_milestone(
            winners.owner, milestone.id, MilestoneRelease(amount_minor=70_000)
        )

        assert rest.status is MilestoneStatus.RELEASED
        assert await payable(oc, winners.solvers[0]) == 90_000

    async def test_a_retried_partial_release_is_released_once(self, oc: OpenChance) -> None:
        winners, milestone = await funded_winner(oc)
        request = MilestoneRelease(amount_minor=30_000)

        await oc.milestones.release_milestone(
            winners.owner, milestone.id, request, idempotency_key="part-1"
        )
        again = await oc.milestones.release_milestone(
            winners.owner, milestone.id, request, idempotency_key="part-1"
        )

        assert again.released_minor == 30_000
        assert await release_count(oc) == 1

    async def test_an_unfunded_milestone_releases_nothing(self, oc: OpenChance) -> None:
        winners = await accepted_winners(oc)
        [milestone] = await milestones_of(oc, winners)

        with pytest.raises(Conflict) as caught:
            await oc.milestones.release_milestone(
                winners.owner, milestone.id, MilestoneRelease(amount_minor=1_000)
            )
        assert caught.value.code == "milestone_not_funded"


class TestAutoRelease:
    async def test_an_unanswered_delivery_is_released_when_its_time_comes(
        self, oc: OpenChance
    ) -> None:
        winners, milestone = await submitted(oc)

        await make_auto_release_due(oc, milestone.id)
        await drain(oc)

        released = await oc.milestones.get_milestone(winners.owner, milestone.id)
        assert released.status is MilestoneStatus.RELEASED
        assert await payable(oc, winners.solvers[0]) == 90_000

    async def test_a_delivery_approved_first_is_not_released_again(self, oc: OpenChance) -> None:
        winners, milestone = await submitted(oc)
        await oc.milestones.approve_milestone(winners.owner, milestone.id)

        await make_auto_release_due(oc, milestone.id)
        await drain(oc)

        assert await release_count(oc) == 1

    async def test_reminders_are_scheduled_before_the_auto_release(self, oc: OpenChance) -> None:
        _, milestone = await submitted(oc)

        async with oc.unit_of_work(read_only=True) as uow:
            run_ats = list(
                await uow.session.scalars(
                    select(Job.run_at)
                    .where(Job.name == "payments.remind_release")
                    .order_by(Job.run_at)
                )
            )
        assert milestone.auto_release_at is not None
        assert run_ats == [milestone.auto_release_at - timedelta(days=d) for d in (7, 2)]


class TestSeveralWinnersAndMilestones:
    async def test_each_winner_is_paid_their_split(self, oc: OpenChance) -> None:
        winners = await accepted_winners(oc, winners=2, prize_split=[60, 40])
        await fund(oc, winners.owner, winners.challenge_id)

        for milestone in await milestones_of(oc, winners):
            await oc.milestones.release_milestone(
                winners.owner, milestone.id,
                MilestoneRelease(amount_minor=milestone.share_minor or 0),
            )  # fmt: skip

        assert await payable(oc, winners.solvers[0]) == 54_000
        assert await payable(oc, winners.solvers[1]) == 36_000
        assert await challenge_status(oc, winners.challenge_id) is ChallengeStatus.COMPLETED

    async def test_one_released_milestone_of_two_puts_the_challenge_back_to_work(
        self, oc: OpenChance
    ) -> None:
        winners = await accepted_winners(oc, milestones=[("Data", 40_000), ("Model", 60_000)])
        await fund(oc, winners.owner, winners.challenge_id)
        first, _ = await milestones_of(oc, winners)
        await oc.milestones.submit_milestone(winners.solvers[0], first.id, DELIVERY)

        await oc.milestones.approve_milestone(winners.owner, first.id)

        assert await challenge_status(oc, winners.challenge_id) is ChallengeStatus.IN_PROGRESS
        assert await payable(oc, winners.solvers[0]) == 36_000


class TestReleaseRules:
    async def test_partial_releases_take_the_fee_of_the_whole(self, oc: OpenChance) -> None:
        winners, milestone = await funded_winner(oc)

        for _ in range(10):
            await oc.milestones.release_milestone(
                winners.owner, milestone.id, MilestoneRelease(amount_minor=5)
            )

        # 10 % of 50 is 5, however the 50 was released
        assert await payable(oc, winners.solvers[0]) == 45

    async def test_the_same_key_for_another_amount_is_refused(self, oc: OpenChance) -> None:
        winners, milestone = await funded_winner(oc)
        await oc.milestones.release_milestone(
            winners.owner, milestone.id, MilestoneRelease(amount_minor=100), idempotency_key="k"
        )

        with pytest.raises(Conflict) as caught:
            await oc.milestones.release_milestone(
                winners.owner, milestone.id, MilestoneRelease(amount_minor=5_000),
                idempotency_key="k",
            )  # fmt: skip
        assert caught.value.code == "idempotency_key_reused"

    async def test_a_client_key_cannot_collide_with_the_auto_release(self, oc: OpenChance) -> None:
        winners, milestone = await submitted(oc)
        await oc.milestones.release_milestone(
            winners.owner, milestone.id, MilestoneRelease(amount_minor=100),
            idempotency_key="auto-1",
        )  # fmt: skip

        await make_auto_release_due(oc, milestone.id)
        await drain(oc)

        released = await oc.milestones.get_milestone(winners.owner, milestone.id)
        assert released.status is MilestoneStatus.RELEASED

    async def test_a_cancelled_challenge_is_not_auto_released(self, oc: OpenChance) -> None:
        winners, milestone = await submitted(oc)
        await oc.challenges.cancel_challenge(
            SYSTEM, winners.challenge_id,
            ChallengeCancellation(reason=CancelReason.CLIENT_UNRESPONSIVE),
        )  # fmt: skip

        await make_auto_release_due(oc, milestone.id)
        await drain(oc)

        assert await release_count(oc) == 0

    async def test_the_reward_of_a_funded_challenge_cannot_change(self, oc: OpenChance) -> None:
        owner = await create_user(oc, email="owner@example.org")
        actor = await actor_for(oc, "owner@example.org")
        challenge = await insert_challenge(oc, owner, status=ChallengeStatus.DRAFT)
        await fund(oc, actor, challenge)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.update_challenge(
                actor, challenge, ChallengeEdit.model_validate(
                    {"reward": {"kind": "fixed", "currency": "USD", "amount_minor": 900_000}}
                ),
            )  # fmt: skip
        assert caught.value.code == "challenge_funded"
