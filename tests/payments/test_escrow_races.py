"""1,000 concurrent release and refund attempts on the same escrows, on PostgreSQL: no
money is released or refunded twice, and every ledger invariant holds afterwards."""

from __future__ import annotations

import random
import uuid
from collections import Counter

import anyio
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from openchance import Actor, OpenChance
from openchance.errors import Conflict, InvalidInput
from openchance.models.ledger import (
    AccountPurpose,
    LedgerAccount,
    LedgerPosting,
    LedgerTransaction,
)
from openchance.models.payments import EscrowMilestone, Refund, RefundStatus
from openchance.payments.funding_schemas import RefundRequest
from openchance.payments.milestone_schemas import MilestoneRelease, MilestoneSubmit
from tests.factories.applications import apply, bid_data
from tests.factories.challenges import insert_challenge
from tests.factories.payments import fund
from tests.factories.users import actor_for, create_user

pytestmark = pytest.mark.postgres_only

SYSTEM = Actor.system("tests")
ATTEMPTS = 1_000
PRIZE = 100_000
WITH_WINNER = 10
WITHOUT_WINNER = 10
CONCURRENCY = 40


async def _arrange(oc: OpenChance) -> tuple[Actor, list[uuid.UUID], list[uuid.UUID]]:
    """Challenges with a delivered winner (their milestone ids), and funded challenges
    nobody works on yet (their funding ids)."""
    owner_id = await create_user(oc, email="owner@example.org")
    owner = await actor_for(oc, "owner@example.org")
    await create_user(oc, email="solver@example.org")
    solver = await actor_for(oc, "solver@example.org")
    milestones, fundings = [], []
    for index in range(WITH_WINNER + WITHOUT_WINNER):
        challenge = await insert_challenge(
            oc, owner_id, title=f"Race {index}", reward_min_minor=PRIZE
        )
        funding = await fund(oc, owner, challenge)
        if index >= WITH_WINNER:
            fundings.append(funding.id)
            continue
        application = await apply(oc, solver, challenge, bid=bid_data(amount=PRIZE))
        await oc.applications.accept_application(owner, application.id)
        [milestone] = await oc.milestones.list_milestones(owner, challenge)
        await oc.milestones.submit_milestone(solver, milestone.id, MilestoneSubmit(note="Done."))
        milestones.append(milestone.id)
    return owner, milestones, fundings


async def test_concurrent_releases_and_refunds_never_move_money_twice(oc: OpenChance) -> None:
    owner, milestones, fundings = await _arrange(oc)
    rng = random.Random(7)
    limiter = anyio.CapacityLimiter(CONCURRENCY)
    outcomes: Counter[str] = Counter()

    async def attempt(number: int) -> None:
        kind = rng.choice(["approve", "release", "refund"])
        async with limiter:
            try:
                if kind == "approve":
                    await oc.milestones.approve_milestone(
                        owner, rng.choice(milestones), idempotency_key=f"a-{number % 7}"
                    )
                elif kind == "release":
                    await oc.milestones.release_milestone(
                        owner, rng.choice(milestones),
                        MilestoneRelease(amount_minor=rng.choice([1_000, 7_500, 30_000])),
                        idempotency_key=f"r-{number}",
                    )  # fmt: skip
                else:
                    await oc.refunds.refund_funding(
                        SYSTEM, rng.choice(fundings),
                        RefundRequest(amount_minor=rng.choice([None, 20_000]), reason="Race."),
                        idempotency_key=f"f-{number}",
                    )  # fmt: skip
                outcomes[f"{kind}:ok"] += 1
            except (Conflict, InvalidInput) as refused:
                outcomes[f"{kind}:{refused.code}"] += 1

    async with anyio.create_task_group() as group:
        for number in range(ATTEMPTS):
            group.start_soon(attempt, number)

    assert sum(outcomes.values()) == ATTEMPTS
    assert outcomes["approve:ok"] + outcomes["release:ok"] > 0
    assert outcomes["refund:ok"] > 0
    async with oc.unit_of_work(read_only=True) as uow:
        for milestone_id in milestones:
            milestone = await uow.session.get(EscrowMilestone, milestone_id)
            assert milestone is not None
            released = await _released_in_ledger(uow.session, milestone_id)
            # what the ledger released is what the milestone says, and never above the share
            assert released == milestone.released_minor <= PRIZE
        for funding_id in fundings:
            refunded = await uow.session.scalar(
                select(func.coalesce(func.sum(Refund.held_minor), 0)).where(
                    Refund.funding_id == funding_id, Refund.status == RefundStatus.SUCCEEDED
                )
            )
            # the prize and the 5 % challenger fee were held; never more goes back
            assert (refunded or 0) <= PRIZE + 5_000
        negative = await uow.session.scalar(
            select(func.count())
            .select_from(LedgerAccount)
            .where(LedgerAccount.purpose == AccountPurpose.ESCROW, LedgerAccount.balance_minor < 0)
        )
        assert negative == 0
    report = await oc.ledger.check_invariants(SYSTEM)
    assert report.ok, report


async def _released_in_ledger(session: AsyncSession, milestone_id: uuid.UUID) -> int:
    """The escrow side of every release transaction of the milestone."""
    transactions = select(LedgerTransaction.id).where(
        LedgerTransaction.kind == "escrow_release",
        LedgerTransaction.meta["milestone_id"].as_string() == str(milestone_id),
    )
    total = await session.scalar(
        select(func.coalesce(func.sum(LedgerPosting.amount_minor), 0))
        .join(LedgerAccount, LedgerAccount.id == LedgerPosting.account_id)
        .where(
            LedgerPosting.transaction_id.in_(transactions.scalar_subquery()),
            LedgerAccount.purpose == AccountPurpose.ESCROW,
        )
    )
    return -int(total or 0)
