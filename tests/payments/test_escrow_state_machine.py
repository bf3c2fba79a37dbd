"""Random sequences of escrow use cases, with the invariants checked after every step.

Hypothesis drives funding (with good and declined cards), accepting a winner, delivering,
approving, partial releases, change requests, refunds, disputes and their decisions,
cancellation and retried requests through the real services on the real database, and
checks after every step, for the example's challenge:

- every ledger transaction balances, and postings are never changed or removed;
- cached balances equal the postings, and no account is below its floor;
- a milestone never releases more than the winner's share, and what the ledger released
  for it is what it says;
- an escrow is frozen exactly while a dispute is open, and once nothing is held and every
  delivery is settled it is in exactly one end state (released, refunded or split);
- the processor's totals (charged less refunded) equal the ledger's (money in less money
  out to the world).

Each example has a challenge and people of its own, so examples share the database without
seeing each other's money. The async platform runs in a blocking portal (Hypothesis' state
machines are synchronous).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from openchance import Actor, OpenChance, OpenChanceError, Settings
from openchance.actor import Role
from openchance.challenges.repository import load_challenge
from openchance.challenges.schemas import ChallengeCancellation
from openchance.models.challenges import CancelReason
from openchance.models.ledger import (
    AccountPurpose,
    LedgerAccount,
    LedgerPosting,
    LedgerTransaction,
    OwnerKind,
)
from openchance.models.payments import (
    SETTLED_MILESTONE_STATUSES,
    Dispute,
    DisputeOutcome,
    DisputeStatus,
    Escrow,
    EscrowFunding,
    EscrowMilestone,
    EscrowState,
    LocalPayment,
    LocalPaymentStatus,
    LocalRefund,
    Refund,
)
from openchance.payments.deliveries import funding_of, winner_share
from openchance.payments.dispute_schemas import DisputeDecision, DisputeOpen
from openchance.payments.funding_schemas import RefundRequest
from openchance.payments.milestone_schemas import (
    MilestoneChangeRequest,
    MilestoneRelease,
    MilestoneSubmit,
)
from tests.factories.applications import apply, bid_data
from tests.factories.challenges import insert_challenge
from tests.factories.users import create_user

T = TypeVar("T")
SYSTEM = Actor.system("tests")
MILESTONES = [("Data", 40_000), ("Model", 60_000)]
TERMINAL = {EscrowState.RELEASED, EscrowState.REFUNDED, EscrowState.SPLIT}
# 200 examples of 50 steps: 10,000 steps on PostgreSQL (about 3 to 4 minutes on one core);
# on SQLite, where a step costs more here, 2,000 steps keep the CI run short.
ON_POSTGRES = os.environ.get("OPENCHANCE_TEST_BACKEND") == "postgres"
EXAMPLES = int(os.environ.get("OPENCHANCE_TEST_ESCROW_EXAMPLES", "200" if ON_POSTGRES else "40"))
STEPS = int(os.environ.get("OPENCHANCE_TEST_ESCROW_STEPS", "50"))

positions = st.sampled_from([1, 2])
amounts = st.sampled_from([1, 999, 5_000, 20_000, 40_000, 60_000])
keys = st.sampled_from(["k1", "k2", "k3"])


class EscrowMachine(RuleBasedStateMachine):
    portal: BlockingPortal
    oc: OpenChance

    def __init__(self) -> None:
        super().__init__()
        tag = uuid.uuid4().hex[:10]
        self.owner, self.solver, self.support, self.challenge_id = self.run(
            lambda: self._arrange(tag)
        )
        self.application_id: uuid.UUID | None = None
        self.counts = self.run(self._row_counts)
        self.refusals: set[str] = set()

    async def _arrange(self, tag: str) -> tuple[Actor, Actor, Actor, uuid.UUID]:
        # Actors made from the users directly: signing in 600 times would meet the login
        # rate limit, which is not what this machine is about.
        owner_id = await create_user(self.oc, email=f"owner-{tag}@example.org")
        solver_id = await create_user(self.oc, email=f"solver-{tag}@example.org")
        support_id = await create_user(
            self.oc, email=f"support-{tag}@example.org", role=Role.SUPPORT
        )
        challenge = await insert_challenge(self.oc, owner_id, title=f"Machine {tag}",
                                           milestones=MILESTONES)  # fmt: skip
        return (
            Actor.user(owner_id),
            Actor.user(solver_id),
            Actor.user(support_id, {Role.SUPPORT}),
            challenge,
        )

    def run(self, call: Callable[[], Awaitable[T]]) -> T:
        return self.portal.call(call)

    def attempt(self, call: Callable[[], Awaitable[Any]]) -> Any:
        """The answer, or None when the core refused (a refusal is a legal outcome here)."""
        try:
            return self.run(call)
        except OpenChanceError as refusal:
            self.refusals.add(refusal.code)
            return None

    async def _milestone_id(self, position: int) -> uuid.UUID | None:
        async with self.oc.unit_of_work(read_only=True) as uow:
            return await uow.session.scalar(
                select(EscrowMilestone.id).where(
                    EscrowMilestone.challenge_id == self.challenge_id,
                    EscrowMilestone.position == position,
                )
            )

    def milestone(self, position: int) -> uuid.UUID | None:
        return self.run(lambda: self._milestone_id(position))

    # -- rules ---------------------------------------------------------------------------

    @rule(card=st.sampled_from(["4242424242424242", "4000000000009995", "4000002500003155"]))
    def fund_next(self, card: str) -> None:
        async def go() -> None:
            funding = await self.oc.escrow.start_funding(self.owner, self.challenge_id)
            if funding.processor_payment_id and funding.client_secret:
                await self.oc.local_processor.confirm_payment(
                    funding.processor_payment_id, client_secret=funding.client_secret,
                    card_number=card,
                )  # fmt: skip
            await self.oc.escrow.refresh_funding(self.owner, funding.id)

        self.attempt(go)

    @rule()
    def accept_the_solver(self) -> None:
        async def go() -> None:
            if self.application_id is None:
                application = await apply(
                    self.oc, self.solver, self.challenge_id, bid=bid_data(amount=100_000)
                )
                self.application_id = application.id
            await self.oc.applications.accept_application(self.owner, self.application_id)

        self.attempt(go)

    @rule(position=positions)
    def submit(self, position: int) -> None:
        if (milestone := self.milestone(position)) is not None:
            self.attempt(lambda: self.oc.milestones.submit_milestone(
                self.solver, milestone, MilestoneSubmit(note="Done.")))  # fmt: skip

    @rule(position=positions, key=keys)
    def approve(self, position: int, key: str) -> None:
        if (milestone := self.milestone(position)) is not None:
            self.attempt(lambda: self.oc.milestones.approve_milestone(
                self.owner, milestone, idempotency_key=key))  # fmt: skip

    @rule(position=positions, amount=amounts, key=keys)
    def release_part(self, position: int, amount: int, key: str) -> None:
        if (milestone := self.milestone(position)) is not None:
            self.attempt(lambda: self.oc.milestones.release_milestone(
                self.owner, milestone, MilestoneRelease(amount_minor=amount),
                idempotency_key=f"{key}-{amount}"))  # fmt: skip

    @rule(position=positions)
    def request_changes(self, position: int) -> None:
        if (milestone := self.milestone(position)) is not None:
            self.attempt(lambda: self.oc.milestones.request_changes(
                self.owner, milestone, MilestoneChangeRequest(note="Again.")))  # fmt: skip

    @rule(which=st.integers(0, 3), amount=st.one_of(st.none(), amounts), key=keys)
    def refund(self, which: int, amount: int | None, key: str) -> None:
        async def go() -> None:
            fundings = (await self.oc.escrow.get_escrow(SYSTEM, self.challenge_id)).fundings
            if which < len(fundings):
                await self.oc.refunds.refund_funding(
                    self.support, fundings[which].id,
                    RefundRequest(amount_minor=amount, reason="Machine."), idempotency_key=key,
                )  # fmt: skip

        self.attempt(go)

    @rule(position=positions, by_solver=st.booleans())
    def open_dispute(self, position: int, by_solver: bool) -> None:
        if (milestone := self.milestone(position)) is not None:
            actor = self.solver if by_solver else self.owner
            self.attempt(lambda: self.oc.disputes.open_dispute(
                actor, milestone, DisputeOpen(reason="Machine.")))  # fmt: skip

    @rule(
        outcome=st.sampled_from(list(DisputeOutcome)),
        to_solver=st.sampled_from([0, 1, 10_000, 25_000]),
    )
    def decide(self, outcome: DisputeOutcome, to_solver: int) -> None:
        async def go() -> None:
            async with self.oc.unit_of_work(read_only=True) as uow:
                dispute = await uow.session.scalar(
                    select(Dispute).where(Dispute.challenge_id == self.challenge_id,
                                          Dispute.status == DisputeStatus.OPEN).limit(1)
                )  # fmt: skip
                if dispute is None:
                    return
                milestone = await uow.session.get(EscrowMilestone, dispute.milestone_id)
                assert milestone is not None
                funding = await funding_of(uow, milestone)
                challenge = await load_challenge(uow, self.challenge_id)
                remaining = (
                    winner_share(challenge, funding, milestone.rank) - milestone.released_minor
                    if funding else 0
                )  # fmt: skip
            split = {"release_minor": min(to_solver, remaining),
                     "refund_minor": remaining - min(to_solver, remaining)}  # fmt: skip
            extra = split if outcome is DisputeOutcome.SPLIT else {}
            await self.oc.disputes.decide_dispute(
                self.support, dispute.id, DisputeDecision(outcome=outcome, note="Machine.",
                                                          **extra),
            )  # fmt: skip
            # The decision's card refund is paid by a job; run what that job runs.
            refunds = await self.oc.refunds.list_refunds(SYSTEM, challenge_id=self.challenge_id)
            for refund in refunds:
                await self.oc.refunds.pay_pending_refund(refund.id)

        self.attempt(go)

    @rule()
    def cancel(self) -> None:
        async def go() -> None:
            await self.oc.challenges.cancel_challenge(
                SYSTEM, self.challenge_id, ChallengeCancellation(reason=CancelReason.OTHER,
                                                                 note="Machine.")
            )  # fmt: skip
            await self.oc.refunds.refund_cancelled_challenge(self.challenge_id, attempt=1)

        self.attempt(go)

    # -- invariants ----------------------------------------------------------------------

    async def _row_counts(self) -> tuple[int, int]:
        async with self.oc.unit_of_work(read_only=True) as uow:
            transactions = await uow.session.scalar(
                select(func.count()).select_from(LedgerTransaction)
            )
            postings = await uow.session.scalar(select(func.count()).select_from(LedgerPosting))
        return transactions or 0, postings or 0

    @invariant()
    def postings_are_never_removed(self) -> None:
        counts = self.run(self._row_counts)
        assert counts >= self.counts
        self.counts = counts

    @invariant()
    def the_challenge_money_is_consistent(self) -> None:
        self.run(self._check_money)

    async def _check_money(self) -> None:
        async with self.oc.unit_of_work(read_only=True) as uow:
            owners = [self.challenge_id, self.owner.user_id, self.solver.user_id]
            accounts = list(
                await uow.session.scalars(
                    select(LedgerAccount).where(LedgerAccount.owner_id.in_(owners))
                )
            )
            for account in accounts:
                derived = await uow.session.scalar(
                    select(func.coalesce(func.sum(LedgerPosting.amount_minor), 0)).where(
                        LedgerPosting.account_id == account.id
                    )
                )
                assert account.balance_minor == int(derived or 0), account.purpose
                assert account.balance_minor >= 0, account.purpose
            challenge = await load_challenge(uow, self.challenge_id)
            milestones = list(
                await uow.session.scalars(
                    select(EscrowMilestone).where(EscrowMilestone.challenge_id == self.challenge_id)
                )
            )
            for milestone in milestones:
                funding = await funding_of(uow, milestone)
                if funding is not None:
                    assert milestone.released_minor <= winner_share(
                        challenge, funding, milestone.rank
                    )
            escrow = (
                await uow.session.scalars(
                    select(Escrow).where(Escrow.challenge_id == self.challenge_id)
                )
            ).one_or_none()
            open_disputes = await uow.session.scalar(
                select(func.count())
                .select_from(Dispute)
                .where(Dispute.challenge_id == self.challenge_id,
                       Dispute.status == DisputeStatus.OPEN)
            )  # fmt: skip
            if escrow is not None:
                assert (escrow.state is EscrowState.FROZEN) == bool(open_disputes)
                held = next(
                    (a.balance_minor for a in accounts
                     if a.purpose is AccountPurpose.ESCROW
                     and a.owner_kind is OwnerKind.CHALLENGE), 0,
                )  # fmt: skip
                settled = all(m.status in SETTLED_MILESTONE_STATUSES for m in milestones)
                if escrow.state in TERMINAL:
                    assert held == 0
                elif held == 0 and settled and not open_disputes and milestones:
                    pytest.fail(f"an empty, settled escrow left in {escrow.state}")
            await self._check_processor_agrees(uow)

    async def _check_processor_agrees(self, uow: Any) -> None:
        fundings = list(
            await uow.session.scalars(
                select(EscrowFunding).where(EscrowFunding.challenge_id == self.challenge_id)
            )
        )
        payment_ids = [f.processor_payment_id for f in fundings if f.processor_payment_id]
        if not payment_ids:
            return
        charged = await uow.session.scalar(
            select(func.coalesce(func.sum(LocalPayment.amount_minor), 0)).where(
                LocalPayment.id.in_(payment_ids),
                LocalPayment.status == LocalPaymentStatus.SUCCEEDED,
            )
        )
        refunded = await uow.session.scalar(
            select(func.coalesce(func.sum(LocalRefund.amount_minor), 0)).where(
                LocalRefund.payment_id.in_(payment_ids)
            )
        )
        ledger_in = sum(f.total_minor for f in fundings if f.succeeded_at is not None)
        ledger_out = await uow.session.scalar(
            select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
                Refund.challenge_id == self.challenge_id, Refund.succeeded_at.is_not(None)
            )
        )
        # Every confirmation is followed by a refresh, so the ledger knows each charge.
        assert ledger_in == int(charged or 0)
        assert int(ledger_out or 0) == int(refunded or 0)

    def teardown(self) -> None:
        report = self.run(lambda: self.oc.ledger.check_invariants(SYSTEM))
        assert report.ok, report


@pytest.fixture
def platform_in_portal(settings: Settings) -> Iterator[tuple[BlockingPortal, OpenChance]]:
    with start_blocking_portal() as portal:
        oc = OpenChance(settings)
        portal.call(oc.start)
        try:
            yield portal, oc
        finally:
            portal.call(oc.close)


class TestEscrowStateMachine:
    @pytest.mark.timeout(1800)
    def test_random_escrow_use_cases_keep_every_invariant(
        self, platform_in_portal: tuple[BlockingPortal, OpenChance]
    ) -> None:
        EscrowMachine.portal, EscrowMachine.oc = platform_in_portal
        run_state_machine_as_test(
            EscrowMachine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
                database=None,
            ),
        )
