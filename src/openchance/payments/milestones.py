"""``oc.milestones``: a winner delivers a milestone; the challenger approves it, asks for
changes, or releases part of it; an unanswered delivery is released automatically.

Who does what: the winning solver submits; the challenger approves, requests changes and
releases; staff read. Everyone else gets not found. Every step locks the challenge, then
the milestone, so two racing approvals (or an approval racing the auto-release) run one
after the other and the second finds nothing left to release.

The states: ``in_progress`` → (submit) → ``submitted`` → (approve) → ``released``;
``submitted`` → (request changes) → ``in_progress``; a partial release keeps the state until
nothing remains. Submitting needs the milestone funded (``milestone_not_funded``), so a
solver never delivers work whose money is not in escrow. The challenge follows: the first
submission takes it to ``in_review``, a change request back to ``in_progress`` once no
delivery waits, and the last release to ``completed``.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from openchance.actor import Actor
from openchance.challenges.policy import is_owner
from openchance.challenges.repository import load_challenge
from openchance.challenges.transitions import deliver, request_changes
from openchance.db.types import utcnow
from openchance.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied
from openchance.models.challenges import Challenge, ChallengeStatus
from openchance.models.payments import EscrowMilestone, MilestoneStatus
from openchance.notifications.feed import notify
from openchance.payments import ledger
from openchance.payments.deliveries import (
    challenge_deliveries,
    check_cited_messages,
    delivery_files,
    funding_of,
    winner_share,
)
from openchance.payments.escrow import load_escrow
from openchance.payments.fees import FeePolicy
from openchance.payments.milestone_schemas import (
    MilestoneChangeRequest,
    MilestoneRead,
    MilestoneRelease,
    MilestoneSubmit,
)
from openchance.payments.release import (
    WORKING_STATUSES,
    after_release,
    release,
    release_key,
    release_request,
)
from openchance.payments.release_jobs import AUTO_RELEASE, RELEASE_REMINDER, MilestoneDue

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

APPROVE_KEY = "approve"


class MilestoneService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def list_milestones(self, actor: Actor, challenge_id: uuid.UUID) -> list[MilestoneRead]:
        """Every winner's milestones for the challenger and staff; a winner sees their own;
        anyone else gets not found."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            challenge = await load_challenge(uow, challenge_id)
            deliveries = await challenge_deliveries(uow, challenge)
            if not (actor.is_staff or is_owner(actor, challenge)):
                deliveries = [d for d in deliveries if d.solver_id == actor.user_id]
                if not deliveries:
                    raise NotFound("challenge", challenge_id)
            return [await _read(uow, challenge, d) for d in deliveries]

    async def get_milestone(self, actor: Actor, milestone_id: uuid.UUID) -> MilestoneRead:
        async with self._platform.unit_of_work(read_only=True) as uow:
            challenge, milestone = await _load(uow, actor, milestone_id)
            return await _read(uow, challenge, milestone)

    async def submit_milestone(
        self, actor: Actor, milestone_id: uuid.UUID, data: MilestoneSubmit
    ) -> MilestoneRead:
        """The winner delivers: the challenger is told, and the auto-release is scheduled
        (with reminders to the challenger) by the escrow's snapshotted policy."""
        async with self._platform.unit_of_work() as uow:
            challenge, milestone = await _load(uow, actor, milestone_id, for_update=True)
            if actor.user_id != milestone.solver_id:
                raise PermissionDenied(
                    "only the winner delivers this milestone", code="not_milestone_solver"
                )
            _check_status(milestone, MilestoneStatus.IN_PROGRESS)
            _check_working(challenge)
            escrow = await load_escrow(uow, challenge.id)
            if escrow is None or await funding_of(uow, milestone) is None:
                raise Conflict(
                    "this milestone is not funded yet: ask the challenger to fund it first",
                    code="milestone_not_funded",
                )
            await check_cited_messages(uow, milestone, data.message_ids, sent_by=actor.user_id)
            policy = FeePolicy.model_validate(escrow.fee_policy)
            now = utcnow()
            milestone.submission_message_ids = [str(message_id) for message_id in data.message_ids]
            milestone.status = MilestoneStatus.SUBMITTED
            milestone.submission_count += 1
            milestone.submission_note = data.note
            milestone.submitted_at = now
            milestone.change_request_note = None
            milestone.auto_release_at = now + timedelta(days=policy.auto_release_days)
            due = MilestoneDue(milestone_id=milestone.id, submission=milestone.submission_count)
            await uow.enqueue(
                AUTO_RELEASE, due, run_at=milestone.auto_release_at,
                idempotency_key=f"auto-release:{milestone.id}:{milestone.submission_count}",
            )  # fmt: skip
            for days in policy.release_reminder_days:
                await uow.enqueue(
                    RELEASE_REMINDER, due, run_at=milestone.auto_release_at - timedelta(days=days),
                    idempotency_key=(
                        f"release-reminder:{milestone.id}:{milestone.submission_count}:{days}"
                    ),
                )  # fmt: skip
            if challenge.status is ChallengeStatus.IN_PROGRESS:
                await deliver(uow, challenge)
            await notify(
                uow, user_id=challenge.owner_id, kind="milestone.submitted",
                title=f"“{milestone.title}” was delivered for “{challenge.title}”",
                body=data.note[:500],
                dedupe_key=f"milestone.submitted:{milestone.id}:{milestone.submission_count}",
                data={"milestone_id": str(milestone.id), "challenge_id": str(challenge.id)},
            )  # fmt: skip
            await uow.flush()
            return await _read(uow, challenge, milestone)

    async def request_changes(
        self, actor: Actor, milestone_id: uuid.UUID, data: MilestoneChangeRequest
    ) -> MilestoneRead:
        """The challenger sends a delivery back; its auto-release no longer runs."""
        async with self._platform.unit_of_work() as uow:
            challenge, milestone = await _load(uow, actor, milestone_id, for_update=True)
            _check_challenger(actor, challenge)
            _check_status(milestone, MilestoneStatus.SUBMITTED)
            milestone.status = MilestoneStatus.IN_PROGRESS
            milestone.change_request_note = data.note
            milestone.auto_release_at = None
            await uow.flush()
            waiting = await _count(uow, challenge, MilestoneStatus.SUBMITTED)
            if challenge.status is ChallengeStatus.IN_REVIEW and waiting == 0:
                await request_changes(uow, challenge)
            await notify(
                uow, user_id=milestone.solver_id, kind="milestone.changes_requested",
                title=f"Changes were requested on “{milestone.title}”", body=data.note[:500],
                dedupe_key=f"milestone.changes:{milestone.id}:{milestone.submission_count}",
                data={"milestone_id": str(milestone.id), "challenge_id": str(challenge.id)},
            )  # fmt: skip
            return await _read(uow, challenge, milestone)

    async def approve_milestone(
        self, actor: Actor, milestone_id: uuid.UUID, *, idempotency_key: str | None = None
    ) -> MilestoneRead:
        """The challenger accepts the delivery: all that remains of the winner's share is
        released. A retry (same key, or none) answers with the milestone as it is."""
        key = f"client:{idempotency_key}" if idempotency_key else APPROVE_KEY
        return await self._release(actor, milestone_id, None, key, approving=True)

    async def release_milestone(
        self,
        actor: Actor,
        milestone_id: uuid.UUID,
        data: MilestoneRelease,
        *,
        idempotency_key: str | None = None,
    ) -> MilestoneRead:
        """The challenger releases part of the winner's share, delivered or not
        (``amount_exceeds_remaining``); the milestone is released once nothing remains."""
        key = f"client:{idempotency_key}" if idempotency_key else f"once:{uuid.uuid4()}"
        return await self._release(actor, milestone_id, data.amount_minor, key, approving=False)

    async def _release(
        self,
        actor: Actor,
        milestone_id: uuid.UUID,
        amount_minor: int | None,
        request_key: str,
        *,
        approving: bool,
    ) -> MilestoneRead:
        async with self._platform.unit_of_work() as uow:
            challenge, milestone = await _load(uow, actor, milestone_id, for_update=True)
            _check_challenger(actor, challenge)
            done = await ledger.find_transaction(uow, release_key(milestone.id, request_key))
            if done is not None:
                if done.metadata.get("request") != release_request(amount_minor):
                    raise Conflict(
                        "this idempotency key was used for another release",
                        code="idempotency_key_reused",
                    )
                return await _read(uow, challenge, milestone)
            if approving:
                _check_status(milestone, MilestoneStatus.SUBMITTED)
            amount = await release(
                uow, challenge, milestone, amount_minor,
                request_key=request_key, released_by=actor.user_id,
                payout_delay=timedelta(hours=self._platform.settings.payout_delay_hours),
            )  # fmt: skip
            await after_release(uow, challenge, milestone, amount, automatic=False)
            return await _read(uow, challenge, milestone)


async def _load(
    uow: UnitOfWork, actor: Actor, milestone_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Challenge, EscrowMilestone]:
    """The milestone if ``actor`` is its winner, the challenger or staff; with
    ``for_update``, the challenge and then the milestone locked."""
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    milestone = await uow.session.get(EscrowMilestone, milestone_id)
    if milestone is None:
        raise NotFound("milestone", milestone_id)
    challenge = await load_challenge(uow, milestone.challenge_id, for_update=for_update)
    if not (actor.is_staff or is_owner(actor, challenge) or actor.user_id == milestone.solver_id):
        raise NotFound("milestone", milestone_id)
    if for_update:
        milestone = (
            await uow.session.scalars(
                select(EscrowMilestone)
                .where(EscrowMilestone.id == milestone_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).one()
    return challenge, milestone


def _check_challenger(actor: Actor, challenge: Challenge) -> None:
    if not is_owner(actor, challenge):
        raise PermissionDenied(
            "only the challenger approves, asks for changes and releases",
            code="not_challenge_owner",
        )


def _check_status(milestone: EscrowMilestone, expected: MilestoneStatus) -> None:
    if milestone.status is not expected:
        raise Conflict(
            f"the milestone is {milestone.status.value}, not {expected.value}",
            code="invalid_transition",
            status=milestone.status.value,
        )


def _check_working(challenge: Challenge) -> None:
    if challenge.status not in WORKING_STATUSES:
        raise Conflict(
            f"a {challenge.status.value} challenge takes no deliveries",
            code="challenge_not_in_progress",
            status=challenge.status.value,
        )


async def _count(uow: UnitOfWork, challenge: Challenge, status: MilestoneStatus) -> int:
    count = await uow.session.scalar(
        select(func.count())
        .select_from(EscrowMilestone)
        .where(EscrowMilestone.challenge_id == challenge.id, EscrowMilestone.status == status)
    )
    return count or 0


async def _read(uow: UnitOfWork, challenge: Challenge, milestone: EscrowMilestone) -> MilestoneRead:
    funding = await funding_of(uow, milestone)
    share = winner_share(challenge, funding, milestone.rank) if funding else None
    return MilestoneRead(
        id=milestone.id,
        challenge_id=milestone.challenge_id,
        application_id=milestone.application_id,
        solver_id=milestone.solver_id,
        rank=milestone.rank,
        position=milestone.position,
        title=milestone.title,
        status=milestone.status,
        funded=funding is not None,
        currency=challenge.reward_currency,
        share_minor=share,
        released_minor=milestone.released_minor,
        remaining_minor=None if share is None else share - milestone.released_minor,
        submission_count=milestone.submission_count,
        submission_note=milestone.submission_note,
        delivery_files=await delivery_files(uow, milestone),
        submitted_at=milestone.submitted_at,
        auto_release_at=milestone.auto_release_at,
        change_request_note=milestone.change_request_note,
        released_at=milestone.released_at,
    )
