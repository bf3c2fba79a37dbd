"""oc.escrow: a challenger pays a challenge's prize (or next milestone) into escrow on the
local processor; money enters the ledger only when the processor confirms it."""

from __future__ import annotations

import uuid

import anyio
import pytest
from sqlalchemy import update

from openchance import Actor, OpenChance
from openchance.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PaymentFailed,
    PermissionDenied,
    ProviderUnavailable,
)
from openchance.models.challenges import Challenge, ChallengeStatus, RewardKind, Visibility
from openchance.models.ledger import AccountPurpose, OwnerKind
from openchance.models.payments import FundingStatus
from openchance.payments.funding_schemas import FundingStart, NextAction
from openchance.payments.schemas import AccountRef
from tests.factories.challenges import insert_challenge
from tests.factories.payments import (
    DECLINED_INSUFFICIENT_FUNDS,
    NEEDS_3DS,
    RefusingProcessor,
    UnreachableProcessor,
    as_processor,
    fund,
    pay,
)
from tests.factories.users import actor_for, create_user
from tests.support.jobs import drain

SYSTEM = Actor.system("tests")


async def challenger(oc: OpenChance) -> tuple[Actor, uuid.UUID]:
    owner = await create_user(oc, email="owner@example.org")
    return await actor_for(oc, "owner@example.org"), owner


async def balance(
    oc: OpenChance, purpose: AccountPurpose, owner_kind: OwnerKind = OwnerKind.SYSTEM,
    owner_id: uuid.UUID | None = None, currency: str = "EUR",
) -> int | None:  # fmt: skip
    """The account's balance, or None while it has never been used."""
    account = await oc.ledger.find_account(
        SYSTEM,
        AccountRef(purpose=purpose, currency=currency, owner_kind=owner_kind, owner_id=owner_id),
    )
    return None if account is None else account.balance_minor


async def escrow_balance(oc: OpenChance, challenge_id: uuid.UUID) -> int | None:
    return await balance(oc, AccountPurpose.ESCROW, OwnerKind.CHALLENGE, challenge_id)


class TestStartFunding:
    async def test_the_challenger_gets_a_payment_to_confirm_for_the_previewed_total(
        self, oc: OpenChance
    ) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner, reward_min_minor=100_000)

        funding = await oc.escrow.start_funding(actor, challenge)

        preview = await oc.payments.preview_funding(actor, challenge)
        assert funding.status is FundingStatus.PENDING
        assert funding.next_action is NextAction.CONFIRM_WITH_CARD
        assert funding.client_secret
        assert funding.processor_payment_id
        assert funding.total_minor == preview.total_charged_minor
        assert funding.breakdown == preview

    async def test_nothing_enters_the_ledger_before_the_processor_confirms(
        self, oc: OpenChance
    ) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)

        await oc.escrow.start_funding(actor, challenge)

        assert await escrow_balance(oc, challenge) is None
        assert (await oc.escrow.get_escrow(actor, challenge)).funded is False

    async def test_a_retry_with_the_same_key_returns_the_same_funding(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)

        first = await oc.escrow.start_funding(actor, challenge, idempotency_key="fund-1")
        again = await oc.escrow.start_funding(actor, challenge, idempotency_key="fund-1")

        assert again.id == first.id
        assert again.processor_payment_id == first.processor_payment_id

    async def test_the_same_key_for_another_amount_is_refused(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(
            oc, owner, reward_kind=RewardKind.RANGE, reward_min_minor=50_000,
            reward_max_minor=100_000,
        )  # fmt: skip
        await oc.escrow.start_funding(actor, challenge, idempotency_key="fund-1")

        with pytest.raises(Conflict) as caught:
            await oc.escrow.start_funding(
                actor, challenge, FundingStart(amount_minor=60_000), idempotency_key="fund-1"
            )
        assert caught.value.code == "idempotency_key_reused"

    async def test_a_new_request_for_the_same_amount_resumes_the_open_funding(
        self, oc: OpenChance
    ) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)

        first = await oc.escrow.start_funding(actor, challenge)
        second = await oc.escrow.start_funding(actor, challenge)

        assert second.id == first.id

    async def test_another_amount_while_a_payment_is_open_is_refused(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(
            oc, owner, reward_kind=RewardKind.RANGE, reward_min_minor=50_000,
            reward_max_minor=100_000,
        )  # fmt: skip
        await oc.escrow.start_funding(actor, challenge)

        with pytest.raises(Conflict) as caught:
            await oc.escrow.start_funding(actor, challenge, FundingStart(amount_minor=60_000))
        assert caught.value.code == "funding_in_progress"

    async def test_an_amount_outside_the_range_is_refused(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(
            oc, owner, reward_kind=RewardKind.RANGE, reward_min_minor=50_000,
            reward_max_minor=100_000,
        )  # fmt: skip

        with pytest.raises(InvalidInput) as caught:
            await oc.escrow.start_funding(actor, challenge, FundingStart(amount_minor=10_000))
        assert caught.value.code == "amount_out_of_range"

    async def test_a_solver_cannot_fund_someone_elses_challenge(self, oc: OpenChance) -> None:
        _, owner = await challenger(oc)
        await create_user(oc, email="solver@example.org")
        challenge = await insert_challenge(oc, owner)
        solver = await actor_for(oc, "solver@example.org")

        with pytest.raises(PermissionDenied) as caught:
            await oc.escrow.start_funding(solver, challenge)
        assert caught.value.code == "not_challenge_owner"

    async def test_a_cancelled_challenge_cannot_be_funded(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner, status=ChallengeStatus.CANCELLED)

        with pytest.raises(Conflict) as caught:
            await oc.escrow.start_funding(actor, challenge)
        assert caught.value.code == "challenge_not_fundable"

    async def test_a_malformed_idempotency_key_is_refused(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)

        with pytest.raises(InvalidInput) as caught:
            await oc.escrow.start_funding(actor, challenge, idempotency_key="x" * 201)
        assert caught.value.code == "invalid_idempotency_key"

    async def test_a_processor_outage_leaves_no_money_and_the_retry_resumes(
        self, oc: OpenChance
    ) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)
        local = oc.payment_processor
        oc.use_payment_processor(as_processor(UnreachableProcessor()))

        with pytest.raises(ProviderUnavailable):
            await oc.escrow.start_funding(actor, challenge, idempotency_key="fund-1")
        [waiting] = (await oc.escrow.get_escrow(actor, challenge)).fundings
        assert waiting.status is FundingStatus.CREATED
        assert await escrow_balance(oc, challenge) is None

        oc.use_payment_processor(local)
        resumed = await oc.escrow.start_funding(actor, challenge, idempotency_key="fund-1")
        assert resumed.id == waiting.id
        assert resumed.status is FundingStatus.PENDING

    async def test_a_processor_refusal_fails_the_funding(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)
        oc.use_payment_processor(as_processor(RefusingProcessor()))

        with pytest.raises(PaymentFailed):
            await oc.escrow.start_funding(actor, challenge)

        [failed] = (await oc.escrow.get_escrow(actor, challenge)).fundings
        assert (failed.status, failed.failure_code) == (FundingStatus.FAILED, "processor_refused")

    async def test_two_concurrent_requests_make_one_funding(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)
        ids: list[uuid.UUID] = []

        async def start() -> None:
            ids.append((await oc.escrow.start_funding(actor, challenge)).id)

        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(start)

        assert len(set(ids)) == 1


class TestPaying:
    async def test_a_successful_card_puts_the_prize_and_fees_in_escrow(
        self, oc: OpenChance
    ) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner, reward_min_minor=100_000)

        funding = await fund(oc, actor, challenge)

        assert funding.status is FundingStatus.SUCCEEDED
        assert funding.escrowed
        breakdown = funding.breakdown
        held = breakdown.prize_minor + breakdown.challenger_fee_minor + breakdown.fixed_fee_minor
        assert await escrow_balance(oc, challenge) == held
        assert await balance(oc, AccountPurpose.PROCESSOR_FEES) == breakdown.processor_fee_minor
        funding_account = await balance(
            oc, AccountPurpose.CHALLENGER_FUNDING, OwnerKind.USER, owner
        )
        assert funding_account == 0
        assert await balance(oc, AccountPurpose.WORLD) == -funding.total_minor
        assert (await oc.ledger.check_invariants(SYSTEM)).ok

    async def test_the_escrow_carries_the_policy_of_the_first_funding(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner, milestones=[("Data", 40_000),
                                                                  ("Model", 60_000)])  # fmt: skip
        first = await fund(oc, actor, challenge)
        oc.settings = oc.settings.model_copy(update={"fee_challenger_bps": 1_000})

        second = await fund(oc, actor, challenge)

        escrow = await oc.escrow.get_escrow(actor, challenge)
        assert escrow.fee_policy == first.breakdown.policy
        assert second.breakdown.policy == first.breakdown.policy
        assert second.breakdown.challenger_fee_minor == 3_000  # 5 %, not the new 10 %

    async def test_a_declined_card_leaves_the_escrow_empty_and_the_payment_open(
        self, oc: OpenChance
    ) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)

        funding = await fund(oc, actor, challenge, card=DECLINED_INSUFFICIENT_FUNDS)

        assert funding.status is FundingStatus.PENDING
        assert funding.failure_code == "insufficient_funds"
        assert funding.next_action is NextAction.CONFIRM_WITH_CARD
        assert await escrow_balance(oc, challenge) is None

    async def test_another_card_after_a_decline_succeeds(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)
        declined = await fund(oc, actor, challenge, card=DECLINED_INSUFFICIENT_FUNDS)

        await pay(oc, declined)

        funding = await oc.escrow.get_funding(actor, declined.id)
        assert funding.status is FundingStatus.SUCCEEDED
        assert funding.failure_code is None

    async def test_a_3ds_card_waits_for_authentication(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)

        funding = await fund(oc, actor, challenge, card=NEEDS_3DS)

        assert funding.status is FundingStatus.REQUIRES_ACTION
        assert funding.next_action is NextAction.AUTHENTICATE
        assert await escrow_balance(oc, challenge) is None

    async def test_a_completed_3ds_step_puts_the_money_in_escrow(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)
        waiting = await fund(oc, actor, challenge, card=NEEDS_3DS)
        assert waiting.processor_payment_id
        assert waiting.client_secret

        await oc.local_processor.authenticate(
            waiting.processor_payment_id, client_secret=waiting.client_secret, approve=True
        )
        await drain(oc)

        assert (await oc.escrow.get_funding(actor, waiting.id)).escrowed

    async def test_a_failed_3ds_step_asks_for_another_card(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)
        waiting = await fund(oc, actor, challenge, card=NEEDS_3DS)
        assert waiting.processor_payment_id
        assert waiting.client_secret

        await oc.local_processor.authenticate(
            waiting.processor_payment_id, client_secret=waiting.client_secret, approve=False
        )
        await drain(oc)

        funding = await oc.escrow.get_funding(actor, waiting.id)
        assert funding.status is FundingStatus.PENDING
        assert funding.failure_code == "payment_intent_authentication_failure"

    async def test_refreshing_applies_the_processor_answer_before_its_event(
        self, oc: OpenChance
    ) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)
        funding = await oc.escrow.start_funding(actor, challenge)
        assert funding.processor_payment_id
        assert funding.client_secret
        await oc.local_processor.confirm_payment(
            funding.processor_payment_id, client_secret=funding.client_secret,
            card_number="4242424242424242",
        )  # fmt: skip

        refreshed = await oc.escrow.refresh_funding(actor, funding.id)
        await drain(oc)  # the event comes after: it finds nothing left to do

        assert refreshed.escrowed
        statement = await oc.ledger.statement(SYSTEM, (await _escrow_account_id(oc, challenge)))
        assert len(statement.lines) == 1

    async def test_milestones_are_funded_one_at_a_time_in_order(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner, milestones=[("Data", 40_000),
                                                                  ("Model", 60_000)])  # fmt: skip

        first = await fund(oc, actor, challenge)
        second = await fund(oc, actor, challenge)

        assert (first.milestone_position, first.prize_minor) == (1, 40_000)
        assert (second.milestone_position, second.prize_minor) == (2, 60_000)
        escrow = await oc.escrow.get_escrow(actor, challenge)
        assert escrow.funded
        assert escrow.milestones_funded == [1, 2]
        assert escrow.prize_funded_minor == 100_000

    async def test_a_funded_prize_cannot_be_funded_again(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)
        await fund(oc, actor, challenge)

        with pytest.raises(Conflict) as caught:
            await oc.escrow.start_funding(actor, challenge)
        assert caught.value.code == "already_funded"

    async def test_a_payment_that_succeeds_after_cancellation_is_not_escrowed(
        self, oc: OpenChance
    ) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)
        funding = await oc.escrow.start_funding(actor, challenge)
        async with oc.unit_of_work() as uow:
            await uow.session.execute(
                update(Challenge)
                .where(Challenge.id == challenge)
                .values(status=ChallengeStatus.CANCELLED)
            )

        await pay(oc, funding)

        paid = await oc.escrow.get_funding(actor, funding.id)
        assert paid.status is FundingStatus.SUCCEEDED
        assert not paid.escrowed
        assert paid.failure_code == "challenge_closed"
        assert await escrow_balance(oc, challenge) is None


class TestReadingFunding:
    async def test_a_solver_sees_the_escrow_and_its_policy_but_not_the_payments(
        self, oc: OpenChance
    ) -> None:
        actor, owner = await challenger(oc)
        await create_user(oc, email="solver@example.org")
        challenge = await insert_challenge(oc, owner)
        await fund(oc, actor, challenge)
        solver = await actor_for(oc, "solver@example.org")

        escrow = await oc.escrow.get_escrow(solver, challenge)

        assert escrow.funded
        assert escrow.fee_policy is not None
        assert escrow.fundings == []

    async def test_a_stranger_cannot_see_the_escrow_of_a_private_challenge(
        self, oc: OpenChance
    ) -> None:
        _, owner = await challenger(oc)
        await create_user(oc, email="stranger@example.org")
        challenge = await insert_challenge(oc, owner, visibility=Visibility.PRIVATE)
        stranger = await actor_for(oc, "stranger@example.org")

        with pytest.raises(NotFound):
            await oc.escrow.get_escrow(stranger, challenge)

    async def test_someone_elses_funding_is_not_found(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        await create_user(oc, email="solver@example.org")
        challenge = await insert_challenge(oc, owner)
        funding = await oc.escrow.start_funding(actor, challenge)
        solver = await actor_for(oc, "solver@example.org")

        with pytest.raises(NotFound):
            await oc.escrow.get_funding(solver, funding.id)

    async def test_staff_see_a_funding_without_its_client_secret(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner)
        funding = await oc.escrow.start_funding(actor, challenge)

        seen = await oc.escrow.get_funding(SYSTEM, funding.id)

        assert seen.id == funding.id
        assert seen.client_secret is None

    async def test_a_draft_with_payments_cannot_be_deleted(self, oc: OpenChance) -> None:
        actor, owner = await challenger(oc)
        challenge = await insert_challenge(oc, owner, status=ChallengeStatus.DRAFT)
        await oc.escrow.start_funding(actor, challenge)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.delete_challenge(actor, challenge)
        assert caught.value.code == "challenge_has_payments"


async def _escrow_account_id(oc: OpenChance, challenge_id: uuid.UUID) -> uuid.UUID:
    account = await oc.ledger.find_account(
        SYSTEM,
        AccountRef(purpose=AccountPurpose.ESCROW, currency="EUR",
                   owner_kind=OwnerKind.CHALLENGE, owner_id=challenge_id),
    )  # fmt: skip
    assert account is not None
    return account.id
