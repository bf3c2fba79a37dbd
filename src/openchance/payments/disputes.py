"""``oc.disputes``: either side disputes a funded milestone; the challenge's escrow freezes
(no release, no auto-release, no refund) until support decides, and the decision moves
what remains of the milestone in one database transaction.

Opening: the challenger or the milestone's winner, on a funded milestone not yet settled,
with a reason, evidence and the messages of their conversation that show it; one open
dispute per milestone (``dispute_already_open``). A system message in the conversation
tells both sides, and support joins it to mediate.

Deciding (support and admins): ``release_all`` pays what remains to the solver (less the
solver-side fee), ``refund_all`` sets it aside for the challenger's card with the
funding's challenger-side fees if not yet earned, ``split`` does both by the given amounts
(``split_must_add_up``). One ledger transaction, ``dispute_decision`` (keyed by the
dispute), moves it all: escrow -(released + refunded); solver payable +(released - fee);
platform fees +fee; processor clearing +refunded. The card refund is then paid by the job
``payments.pay_refund``, retried until the processor answers: a decision stands whatever
the processor does. The milestone ends ``decided``; the escrow thaws once no dispute of
the challenge is open, or ends released, refunded or split.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.accounts.policy import check_support
from openchance.actor import Actor, ClientInfo
from openchance.challenges.policy import is_owner
from openchance.challenges.repository import load_challenge
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from openchance.messaging.conversations import post_system_message
from openchance.models.challenges import Challenge
from openchance.models.ledger import AccountPurpose
from openchance.models.payments import (
    SETTLED_MILESTONE_STATUSES,
    Dispute,
    DisputeOutcome,
    DisputeStatus,
    EscrowMilestone,
    EscrowState,
    MilestoneStatus,
    Refund,
    RefundStatus,
)
from openchance.moderation.audit import record_audit
from openchance.notifications.feed import notify
from openchance.payments import ledger
from openchance.payments.deliveries import check_cited_messages, funding_of, winner_share
from openchance.payments.dispute_schemas import DisputeDecision, DisputeOpen, DisputeRead
from openchance.payments.escrow import (
    has_open_chargeback,
    load_escrow,
    refund_if_closed,
    settle_escrow_state,
)
from openchance.payments.events import DisputeDecided, DisputeOpened
from openchance.payments.fees import FeePolicy, rate
from openchance.payments.payouts import owe_payout
from openchance.payments.refund_jobs import PAY_REFUND, PayRefund
from openchance.payments.refunds import refund_read
from openchance.payments.release import (
    after_release,
    complete_if_done,
    earn_fees,
    fees_are_earned,
    held_fees,
)
from openchance.payments.schemas import AccountRef, PostingSpec

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance


class DisputeService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def open_dispute(
        self, actor: Actor, milestone_id: uuid.UUID, data: DisputeOpen
    ) -> DisputeRead:
        """The challenger or the winner disputes a funded, unsettled milestone. Refusals:
        ``not_a_party`` (:class:`PermissionDenied`), ``milestone_not_funded``,
        ``milestone_settled``, ``dispute_already_open`` (:class:`Conflict`),
        ``unknown_message`` (:class:`InvalidInput`)."""
        if not actor.is_authenticated:
            raise NotAuthenticated("sign in first")
        async with self._platform.unit_of_work() as uow:
            challenge, milestone = await _lock(uow, milestone_id)
            parties = {challenge.owner_id, milestone.solver_id}
            if actor.user_id not in parties:
                if actor.is_staff:
                    raise PermissionDenied(
                        "only the challenger or the winner opens a dispute", code="not_a_party"
                    )
                raise NotFound("milestone", milestone_id)
            if milestone.status in SETTLED_MILESTONE_STATUSES:
                raise Conflict("this milestone is settled", code="milestone_settled")
            if await funding_of(uow, milestone) is None:
                raise Conflict(
                    "only a funded milestone can be disputed", code="milestone_not_funded"
                )
            if await _open_dispute_of(uow, milestone.id) is not None:
                raise Conflict(
                    "a dispute on this milestone is open already", code="dispute_already_open"
                )
            await _check_no_chargeback(uow, challenge)
            await check_cited_messages(uow, milestone, data.message_ids)
            dispute = Dispute(
                challenge_id=challenge.id,
                milestone_id=milestone.id,
                opened_by=actor.user_id,
                status=DisputeStatus.OPEN,
                reason=data.reason,
                evidence=data.evidence,
                message_ids=[str(message_id) for message_id in data.message_ids],
                released_minor=0,
                refunded_minor=0,
            )
            uow.session.add(dispute)
            milestone.auto_release_at = None
            await uow.flush()
            escrow = await load_escrow(uow, challenge.id, for_update=True)
            assert escrow is not None
            escrow.state = EscrowState.FROZEN
            await post_system_message(
                uow, application_id=milestone.application_id,
                body=f"A dispute was opened on “{milestone.title}”: {data.reason}\n\nThe "
                "escrow is frozen until support decides. Support will join this conversation.",
                data={"kind": "dispute.opened", "dispute_id": str(dispute.id)},
            )  # fmt: skip
            other = (
                milestone.solver_id if actor.user_id == challenge.owner_id else challenge.owner_id
            )
            await notify(
                uow, user_id=other, kind="dispute.opened",
                title=f"A dispute was opened on “{milestone.title}”", body=data.reason[:500],
                dedupe_key=f"dispute.opened:{dispute.id}",
                data={"dispute_id": str(dispute.id), "challenge_id": str(challenge.id)},
            )  # fmt: skip
            uow.record(
                DisputeOpened(challenge_id=challenge.id, owner_id=challenge.owner_id,
                              dispute_id=dispute.id, milestone_id=milestone.id,
                              opened_by=actor.user_id)
            )  # fmt: skip
            return await _read(uow, dispute)

    async def get_dispute(self, actor: Actor, dispute_id: uuid.UUID) -> DisputeRead:
        """Both parties and staff; anyone else gets not found."""
        if not actor.is_authenticated:
            raise NotAuthenticated("sign in first")
        async with self._platform.unit_of_work(read_only=True) as uow:
            dispute = await uow.session.get(Dispute, dispute_id)
            if dispute is None:
                raise NotFound("dispute", dispute_id)
            milestone = await uow.session.get(EscrowMilestone, dispute.milestone_id)
            challenge = await load_challenge(uow, dispute.challenge_id)
            assert milestone is not None
            if not (
                actor.is_staff or is_owner(actor, challenge) or actor.user_id == milestone.solver_id
            ):
                raise NotFound("dispute", dispute_id)
            return await _read(uow, dispute)

    async def list_disputes(
        self, actor: Actor, *, status: DisputeStatus | None = None, limit: int = 100
    ) -> list[DisputeRead]:
        """Staff: the disputes queue, oldest first (the first to be decided)."""
        if not actor.is_staff:
            raise PermissionDenied("only staff see the disputes queue")
        statement = select(Dispute).order_by(Dispute.created_at, Dispute.id)
        if status is not None:
            statement = statement.where(Dispute.status == status)
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = list(await uow.session.scalars(statement.limit(max(1, min(limit, 500)))))
            return [await _read(uow, row) for row in rows]

    async def decide_dispute(
        self,
        actor: Actor,
        dispute_id: uuid.UUID,
        data: DisputeDecision,
        client: ClientInfo | None = None,
    ) -> DisputeRead:
        """Support's decision, audited. Refusals: ``staff_only`` (support and admins),
        ``dispute_decided`` (:class:`Conflict`; a repeat of the same decision answers with
        the dispute as it is), ``split_must_add_up`` and ``split_amounts_required``
        (:class:`InvalidInput`)."""
        check_support(actor, "decide disputes")
        async with self._platform.unit_of_work() as uow:
            dispute = await uow.session.get(Dispute, dispute_id)
            if dispute is None:
                raise NotFound("dispute", dispute_id)
            challenge, milestone = await _lock(uow, dispute.milestone_id)
            dispute = (
                await uow.session.scalars(
                    select(Dispute).where(Dispute.id == dispute_id).with_for_update()
                    .execution_options(populate_existing=True)
                )
            ).one()  # fmt: skip
            if dispute.status is DisputeStatus.DECIDED:
                if dispute.outcome is data.outcome and dispute.decision_note == data.note:
                    return await _read(uow, dispute)
                raise Conflict("this dispute was decided already", code="dispute_decided")
            await _check_no_chargeback(uow, challenge)
            funding = await funding_of(uow, milestone)
            escrow = await load_escrow(uow, challenge.id, for_update=True)
            assert escrow is not None
            # A funding whose charge a lost card dispute took back leaves nothing to move.
            remaining = (
                0
                if funding is None
                else winner_share(challenge, funding, milestone.rank) - milestone.released_minor
            )
            to_solver, to_challenger = _amounts(data, remaining)
            fees_back = 0
            if funding is not None and not await fees_are_earned(uow, funding):
                if to_solver:
                    await earn_fees(uow, challenge.id, funding)
                elif not await _another_rank_unsettled(uow, milestone):
                    # The fees come back only when no other winner of the funding is paid.
                    fees_back = held_fees(funding)
            refunded = to_challenger + fees_back
            policy = FeePolicy.model_validate(escrow.fee_policy)
            solver_fee = rate(milestone.released_minor + to_solver, policy.solver_fee_bps) - rate(
                milestone.released_minor, policy.solver_fee_bps
            )
            if to_solver + refunded:
                await ledger.post_transaction(
                    uow,
                    idempotency_key=f"dispute:{dispute.id}:decision",
                    kind="dispute_decision",
                    description=f"Decision of dispute {dispute.id}: {data.outcome.value}",
                    postings=_decision_postings(
                        challenge, milestone, escrow.currency, to_solver, solver_fee, refunded
                    ),
                    metadata={"dispute_id": str(dispute.id), "milestone_id": str(milestone.id)},
                )
            await owe_payout(
                uow, solver_id=milestone.solver_id, challenge_id=challenge.id,
                milestone_id=milestone.id, currency=escrow.currency, gross_minor=to_solver,
                fee_minor=solver_fee, source_key=f"dispute:{dispute.id}:decision",
                delay=timedelta(hours=self._platform.settings.payout_delay_hours),
            )  # fmt: skip
            now = utcnow()
            milestone.released_minor += to_solver
            milestone.status = MilestoneStatus.DECIDED
            milestone.auto_release_at = None
            dispute.status = DisputeStatus.DECIDED
            dispute.outcome = data.outcome
            dispute.released_minor = to_solver
            dispute.refunded_minor = refunded
            dispute.decision_note = data.note
            dispute.decided_by = actor.user_id
            dispute.decided_at = now
            if refunded and funding is not None:
                refund = Refund(
                    funding_id=funding.id, challenge_id=challenge.id, requested_by=actor.user_id,
                    status=RefundStatus.PENDING, currency=funding.currency,
                    amount_minor=refunded, held_minor=refunded, processor_fee_minor=0,
                    from_escrow=True, set_aside=True, reason=f"Dispute decision: {data.note}",
                    idempotency_key=f"dispute:{dispute.id}:refund", request_hash="dispute",
                )  # fmt: skip
                uow.session.add(refund)
                await uow.flush()
                await uow.enqueue(
                    PAY_REFUND, PayRefund(refund_id=refund.id),
                    idempotency_key=f"pay-refund:{refund.id}",
                )  # fmt: skip
            await uow.flush()
            await settle_escrow_state(uow, challenge)
            await refund_if_closed(uow, challenge, f"dispute:{dispute.id}")
            record_audit(
                uow, actor, "dispute.decide", target_type="dispute", target_id=dispute.id,
                reason=data.note, client=client,
                details={"outcome": data.outcome.value, "released_minor": to_solver,
                         "refunded_minor": refunded},
            )  # fmt: skip
            await post_system_message(
                uow, application_id=milestone.application_id,
                body=f"Support decided the dispute on “{milestone.title}”: "
                f"{data.outcome.value.replace('_', ' ')}.\n\n{data.note}",
                data={"kind": "dispute.decided", "dispute_id": str(dispute.id)},
            )  # fmt: skip
            for user_id in (challenge.owner_id, milestone.solver_id):
                await notify(
                    uow, user_id=user_id, kind="dispute.decided",
                    title=f"The dispute on “{milestone.title}” was decided",
                    body=data.note[:500], dedupe_key=f"dispute.decided:{dispute.id}",
                    data={"dispute_id": str(dispute.id), "outcome": data.outcome.value},
                )  # fmt: skip
            if to_solver:
                await after_release(uow, challenge, milestone, to_solver, automatic=False)
            else:
                await complete_if_done(uow, challenge)
            uow.record(
                DisputeDecided(challenge_id=challenge.id, owner_id=challenge.owner_id,
                               dispute_id=dispute.id, outcome=data.outcome,
                               released_minor=to_solver, refunded_minor=refunded)
            )  # fmt: skip
            return await _read(uow, dispute)


def _amounts(data: DisputeDecision, remaining: int) -> tuple[int, int]:
    match data.outcome:
        case DisputeOutcome.RELEASE_ALL:
            return remaining, 0
        case DisputeOutcome.REFUND_ALL:
            return 0, remaining
        case DisputeOutcome.SPLIT:
            if data.release_minor is None or data.refund_minor is None:
                raise InvalidInput(
                    "a split names the solver's and the challenger's parts",
                    code="split_amounts_required",
                )
            if data.release_minor + data.refund_minor != remaining:
                raise InvalidInput(
                    f"the parts must add up to what remains: {remaining}",
                    code="split_must_add_up",
                    errors=[{"field": "release_minor", "code": "split_must_add_up",
                             "message": f"release + refund = {remaining}"}],
                )  # fmt: skip
            return data.release_minor, data.refund_minor


def _decision_postings(
    challenge: Challenge,
    milestone: EscrowMilestone,
    currency: str,
    to_solver: int,
    solver_fee: int,
    refunded: int,
) -> list[PostingSpec]:
    postings = [
        PostingSpec(
            account=AccountRef.escrow(challenge.id, currency),
            amount_minor=-(to_solver + refunded), currency=currency,
        )
    ]  # fmt: skip
    if to_solver - solver_fee:
        postings.append(
            PostingSpec(
                account=AccountRef.payable(milestone.solver_id, currency),
                amount_minor=to_solver - solver_fee, currency=currency,
            )
        )  # fmt: skip
    if solver_fee:
        postings.append(
            PostingSpec(account=AccountRef.system(AccountPurpose.PLATFORM_FEES, currency),
                        amount_minor=solver_fee, currency=currency)
        )  # fmt: skip
    if refunded:
        postings.append(
            PostingSpec(account=AccountRef.system(AccountPurpose.PROCESSOR_CLEARING, currency),
                        amount_minor=refunded, currency=currency)
        )  # fmt: skip
    return postings


async def _lock(uow: UnitOfWork, milestone_id: uuid.UUID) -> tuple[Challenge, EscrowMilestone]:
    """The challenge, then the milestone, locked (the order every money path takes)."""
    found = await uow.session.get(EscrowMilestone, milestone_id)
    if found is None:
        raise NotFound("milestone", milestone_id)
    challenge = await load_challenge(uow, found.challenge_id, for_update=True)
    milestone = (
        await uow.session.scalars(
            select(EscrowMilestone).where(EscrowMilestone.id == milestone_id).with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()  # fmt: skip
    return challenge, milestone


async def _check_no_chargeback(uow: UnitOfWork, challenge: Challenge) -> None:
    if await has_open_chargeback(uow, challenge.id):
        raise Conflict(
            "a card dispute on this challenge's payment is open: wait until it closes",
            code="escrow_frozen",
        )


async def _another_rank_unsettled(uow: UnitOfWork, milestone: EscrowMilestone) -> bool:
    """Another winner's delivery of the same position (paid from the same funding) is not
    settled yet."""
    found = await uow.session.scalar(
        select(EscrowMilestone.id)
        .where(
            EscrowMilestone.challenge_id == milestone.challenge_id,
            EscrowMilestone.position == milestone.position,
            EscrowMilestone.id != milestone.id,
            EscrowMilestone.status.not_in(SETTLED_MILESTONE_STATUSES),
        )
        .limit(1)
    )
    return found is not None


async def _open_dispute_of(uow: UnitOfWork, milestone_id: uuid.UUID) -> Dispute | None:
    statement = select(Dispute).where(
        Dispute.milestone_id == milestone_id, Dispute.status == DisputeStatus.OPEN
    )
    return (await uow.session.scalars(statement.limit(1))).first()


async def _read(uow: UnitOfWork, dispute: Dispute) -> DisputeRead:
    refund = (
        await uow.session.scalars(
            select(Refund).where(Refund.idempotency_key == f"dispute:{dispute.id}:refund")
        )
    ).one_or_none()
    return DisputeRead(
        id=dispute.id,
        challenge_id=dispute.challenge_id,
        milestone_id=dispute.milestone_id,
        opened_by=dispute.opened_by,
        status=dispute.status,
        reason=dispute.reason,
        evidence=dispute.evidence,
        message_ids=[uuid.UUID(message_id) for message_id in dispute.message_ids],
        outcome=dispute.outcome,
        released_minor=dispute.released_minor,
        refunded_minor=dispute.refunded_minor,
        decision_note=dispute.decision_note,
        decided_by=dispute.decided_by,
        decided_at=dispute.decided_at,
        created_at=dispute.created_at,
        refund=refund_read(refund) if refund is not None else None,
    )
