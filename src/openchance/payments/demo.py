"""Money in the demo marketplace, through the payment use cases on the local processor.

The challenges step (``openchance.challenges.demo``) calls these as it takes each demo
challenge to its state: the challenger funds it with Stripe's success test card (the
payment is applied at once by the synchronous confirmation path, since no worker runs
while seeding), the winner delivers, the challenger approves; a cancelled challenge that
was funded is refunded as the cancellation's job would.
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlparse

from sqlalchemy import func, select

from openchance.actor import Actor
from openchance.errors import Conflict
from openchance.models.payments import (
    Dispute,
    DisputeStatus,
    EscrowFunding,
    EscrowMilestone,
    FundingStatus,
    MilestoneStatus,
    Refund,
    RefundStatus,
)
from openchance.models.payouts import Payout, PayoutAccountStatus, PayoutStatus
from openchance.payments.dispute_schemas import DisputeOpen
from openchance.payments.milestone_schemas import MilestoneSubmit
from openchance.payments.payout_schemas import PayoutAccountRequest
from openchance.platform import OpenChance

DEMO_CARD = "4242 4242 4242 4242"
DELIVERY_NOTE = (
    "Delivered: everything is in the shared folder, with a short README on how to run "
    "and check it. Happy to walk you through it on a call."
)


async def fund_demo_challenge(
    oc: OpenChance, owner: Actor, challenge_id: uuid.UUID, *, fundings: int | None = None
) -> int:
    """Pay the prize, or milestone after milestone (at most ``fundings`` of them), into
    escrow with the demo card; returns how many payments were made."""
    made = 0
    while fundings is None or made < fundings:
        try:
            funding = await oc.escrow.start_funding(
                owner, challenge_id, idempotency_key=f"demo-funding:{challenge_id}:{made}"
            )
        except Conflict as refused:
            if refused.code == "already_funded":
                break
            raise
        assert funding.processor_payment_id is not None
        assert funding.client_secret is not None
        await oc.local_processor.confirm_payment(
            funding.processor_payment_id, client_secret=funding.client_secret,
            card_number=DEMO_CARD,
        )  # fmt: skip
        await oc.escrow.refresh_funding(owner, funding.id)
        made += 1
    return made


async def deliver_demo_work(
    oc: OpenChance, owner: Actor, challenge_id: uuid.UUID, *, approve: bool
) -> None:
    """The winner delivers their funded milestones in order; with ``approve`` the
    challenger approves each (releasing it), else the first one waits for review."""
    for milestone in await oc.milestones.list_milestones(owner, challenge_id):
        if not milestone.funded:
            return
        solver = Actor.user(milestone.solver_id)
        await oc.milestones.submit_milestone(
            solver, milestone.id, MilestoneSubmit(note=DELIVERY_NOTE)
        )
        if not approve:
            return
        await oc.milestones.approve_milestone(owner, milestone.id)


DISPUTE_REASON = (
    "The template misses the board's required sections (risk register, KPIs per "
    "programme); we asked twice in the conversation."
)


async def open_demo_dispute(oc: OpenChance, owner: Actor, challenge_id: uuid.UUID) -> None:
    """The challenger disputes the first delivered milestone: the escrow freezes and the
    dispute waits in the support queue (the console's payments screen)."""
    for milestone in await oc.milestones.list_milestones(owner, challenge_id):
        if milestone.status is MilestoneStatus.SUBMITTED:
            await oc.disputes.open_dispute(
                owner, milestone.id,
                DisputeOpen(reason=DISPUTE_REASON, evidence="See the conversation."),
            )  # fmt: skip
            return


DEMO_BANK_ACCOUNT = "000123456789"
HOLD_REASON = "Checking the delivered files against the brief before this is paid out."


async def seed_demo_payouts(oc: OpenChance) -> str:
    """Every winner who was paid connects a payout account; their payouts are sent at
    once (no waiting out the delay while seeding) and arrive, except the newest, which
    support holds, so the console shows a hold. Safe to run on every start."""
    async with oc.unit_of_work(read_only=True) as uow:
        rows = (
            await uow.session.execute(
                select(Payout.id, Payout.user_id, Payout.status)
                .order_by(Payout.created_at, Payout.id)
            )
        ).all()  # fmt: skip
    if not rows:
        return "payouts: none"
    for user_id in dict.fromkeys(row.user_id for row in rows):
        await _connect_demo_payout_account(oc, Actor.user(user_id))
    *paid, newest = rows
    for row in paid:
        await _pay_out_demo_payout(oc, row.id)
    if newest.status is PayoutStatus.PENDING:
        await oc.payouts.hold(Actor.system("demo"), newest.id, HOLD_REASON)
    return f"payouts: {len(paid)} paid, 1 on hold (local processor)"


async def _connect_demo_payout_account(oc: OpenChance, solver: Actor) -> None:
    account = await oc.payout_accounts.my_account(solver)
    if account is not None and account.status is PayoutAccountStatus.ENABLED:
        return
    link = await oc.payout_accounts.connect(solver, PayoutAccountRequest())
    url = urlparse(link.onboarding_url)
    [token] = parse_qs(url.query)["token"]
    await oc.local_processor.complete_onboarding(
        url.path.split("/")[-2], token=token, bank_account_number=DEMO_BANK_ACCOUNT
    )
    await oc.payout_accounts.refresh(solver)


async def _pay_out_demo_payout(oc: OpenChance, payout_id: uuid.UUID) -> None:
    """What the send job and the bank do once a worker runs, done at once."""
    async with oc.unit_of_work(read_only=True) as uow:
        payout = await uow.session.get(Payout, payout_id)
        assert payout is not None
        if payout.status is not PayoutStatus.PENDING:
            return
        available_at = payout.available_at
    await oc.payouts.send(payout_id, now=available_at)
    async with oc.unit_of_work(read_only=True) as uow:
        processor_payout_id = await uow.session.scalar(
            select(Payout.processor_payout_id).where(Payout.id == payout_id)
        )
    if processor_payout_id is not None:
        await oc.local_processor.settle_payout(processor_payout_id)
        await oc.payouts.refresh(payout_id)


async def describe_demo_payments(oc: OpenChance) -> str:
    """A seeding step's summary: what money the demo holds (nothing is written)."""
    async with oc.unit_of_work(read_only=True) as uow:
        fundings = await uow.session.scalar(
            select(func.count()).select_from(EscrowFunding)
            .where(EscrowFunding.status == FundingStatus.SUCCEEDED)
        )  # fmt: skip
        released = await uow.session.scalar(
            select(func.count()).select_from(EscrowMilestone)
            .where(EscrowMilestone.status == MilestoneStatus.RELEASED)
        )  # fmt: skip
        refunds = await uow.session.scalar(
            select(func.count()).select_from(Refund)
            .where(Refund.status == RefundStatus.SUCCEEDED)
        )  # fmt: skip
        disputes = await uow.session.scalar(
            select(func.count()).select_from(Dispute).where(Dispute.status == DisputeStatus.OPEN)
        )
    return (
        f"payments: {fundings or 0} fundings paid, {released or 0} milestones released, "
        f"{refunds or 0} refunds, {disputes or 0} open dispute(s) (local processor)"
    )
