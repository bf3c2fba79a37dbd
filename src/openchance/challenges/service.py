"""The challenge use cases: draft, edit, delete, submit, review, cancel, clarify, list, expire.

Each use case takes the actor first and runs in one unit of work: it checks policy
(``challenges/policy.py``), asks the workflow for every status change
(``challenges/transitions.py``), records a domain event, audits staff actions and
re-indexes published challenges (``search.sync.schedule_index``) in that same transaction.
A challenge the actor may not see is not found, whatever they try to do with it.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import Select, func, select, tuple_

from openchance.accounts.policy import check_staff, require_user
from openchance.actor import Actor, ClientInfo
from openchance.challenges import clarifications
from openchance.challenges.attachments import delete_challenge_attachments
from openchance.challenges.categories import load_assignable_category
from openchance.challenges.editing import add_milestones, apply_edit
from openchance.challenges.events import (
    ChallengeCancelled,
    ChallengeDeleted,
    ChallengeEdited,
    ChallengePublished,
    ChallengeRejected,
    ChallengeSubmitted,
)
from openchance.challenges.expiry import EXPIRE_BATCH_SIZE, expire_due_batch, schedule_expiry
from openchance.challenges.paging import decode_cursor, encode_cursor
from openchance.challenges.policy import check_can_review, check_owner, load_visible_challenge
from openchance.challenges.schemas import (
    ChallengeCancellation,
    ChallengeCreate,
    ChallengeEdit,
    ChallengeFilter,
    ChallengeOrder,
    ChallengePage,
    ChallengeRead,
    ChallengeRejection,
    ClarificationCreate,
    ClarificationRead,
    MyChallengesQuery,
)
from openchance.challenges.transitions import transition
from openchance.challenges.views import read_challenge, read_clarification, summarise
from openchance.challenges.workflow import (
    BEFORE_WORK_STATUSES,
    EDITABLE_STATUSES,
    ChallengeAction,
    next_status,
)
from openchance.config import EscrowFundingDeadline
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, PermissionDenied
from openchance.models.accounts import User, UserStatus
from openchance.models.challenges import (
    CancelReason,
    Category,
    Challenge,
    ChallengeStatus,
    RewardKind,
)
from openchance.models.payments import EscrowFunding, FundingStatus
from openchance.moderation.audit import record_audit
from openchance.notifications.feed import notify
from openchance.payments.escrow import check_funded_before
from openchance.payments.refund_jobs import REFUND_CANCELLED_CHALLENGE, RefundCancelledChallenge
from openchance.search.sync import schedule_index

if TYPE_CHECKING:
    from openchance.platform import OpenChance

CHALLENGER_CANCEL_REASONS = frozenset(
    {
        CancelReason.BY_CHALLENGER_BEFORE_WORK,
        CancelReason.NO_SUITABLE_APPLICATIONS,
        CancelReason.OTHER,
    }
)
"""Reasons a challenger may give; the others (policy violation, duplicate, client
unresponsive) are staff's."""


MONEY_TERMS = frozenset({"reward", "winners", "prize_split"})
"""The fields a funding is priced by."""


class ChallengeService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    # -- drafting ----------------------------------------------------------------------

    async def create_challenge(self, actor: Actor, data: ChallengeCreate) -> ChallengeRead:
        """A new draft owned by the signed-in user."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work() as uow:
            user = await uow.session.get(User, user_id)
            if user is None or user.status is not UserStatus.ACTIVE:
                raise PermissionDenied("your account is not active", code="account_not_active")
            category = await load_assignable_category(uow, data.category)
            low, high = data.reward.bounds()
            assert data.prize_split is not None  # filled in by the schema
            challenge = Challenge(
                id=uuid.uuid4(),
                owner_id=user_id,
                title=data.title,
                summary=data.summary,
                description=data.description,
                category_id=category.id,
                difficulty=data.difficulty,
                skills=list(data.skills),
                reward_kind=RewardKind(data.reward.kind),
                reward_currency=data.reward.currency,
                reward_min_minor=low,
                reward_max_minor=high,
                winners=data.winners,
                prize_split=list(data.prize_split),
                deadline=data.deadline,
                visibility=data.visibility,
                ip_terms=data.ip_terms,
                terms=data.terms,
                max_applications=data.max_applications,
                status=ChallengeStatus.DRAFT,
                status_changed_at=utcnow(),
                application_count=0,
            )
            uow.session.add(challenge)
            await uow.flush()
            add_milestones(uow, challenge, data.reward)
            await uow.flush()
            return await read_challenge(uow, actor, challenge)

    async def get_challenge(self, actor: Actor, challenge_id: uuid.UUID) -> ChallengeRead:
        """Anyone who may see it (drafts: its challenger and staff)."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id)
            return await read_challenge(uow, actor, challenge)

    async def update_challenge(
        self, actor: Actor, challenge_id: uuid.UUID, data: ChallengeEdit
    ) -> ChallengeRead:
        """Change the fields sent. Only the challenger, only in draft, pending review or open,
        and only until the first application (``challenge_locked``); later, add a
        clarification. The reward, winners and prize split no longer change once a payment
        into escrow was started (``challenge_funded``). A new deadline on an open challenge
        moves its expiry."""
        async with self._platform.unit_of_work() as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id, for_update=True)
            check_owner(actor, challenge)
            if challenge.status not in EDITABLE_STATUSES or challenge.application_count > 0:
                raise Conflict(
                    "the challenge can no longer be changed: add a clarification instead",
                    code="challenge_locked",
                    status=challenge.status.value,
                    application_count=challenge.application_count,
                )
            changed = sorted(data.model_fields_set)
            money_terms = MONEY_TERMS.intersection(changed)
            if money_terms and await uow.session.scalar(
                select(EscrowFunding.id)
                .where(
                    EscrowFunding.challenge_id == challenge.id,
                    EscrowFunding.status != FundingStatus.FAILED,
                )
                .limit(1)
            ):
                raise Conflict(
                    "the reward is being paid or is paid into escrow: it can no longer change",
                    code="challenge_funded",
                    fields=sorted(money_terms),
                )
            if changed:
                await apply_edit(uow, challenge, data)
                await uow.flush()
                if "deadline" in changed and challenge.status is ChallengeStatus.OPEN:
                    await schedule_expiry(uow, challenge)
                if challenge.published_at is not None:
                    await schedule_index(uow, challenge.id)
                uow.record(
                    ChallengeEdited(
                        challenge_id=challenge.id, owner_id=challenge.owner_id, fields=changed
                    )
                )
            return await read_challenge(uow, actor, challenge)

    async def delete_challenge(self, actor: Actor, challenge_id: uuid.UUID) -> None:
        """Delete a draft with its milestones and attachments (their files go once this
        commits); anything past draft is cancelled instead (``only_drafts_deletable``), and
        so is a draft someone started paying for (``challenge_has_payments``)."""
        async with self._platform.unit_of_work() as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id, for_update=True)
            check_owner(actor, challenge)
            if challenge.status is not ChallengeStatus.DRAFT:
                raise Conflict(
                    "only drafts can be deleted: cancel the challenge instead",
                    code="only_drafts_deletable",
                    status=challenge.status.value,
                )
            if await uow.session.scalar(
                select(EscrowFunding.id).where(EscrowFunding.challenge_id == challenge.id).limit(1)
            ):
                raise Conflict(
                    "a challenge with payments cannot be deleted: cancel it instead",
                    code="challenge_has_payments",
                )
            await delete_challenge_attachments(uow, challenge.id)
            uow.record(ChallengeDeleted(challenge_id=challenge.id, owner_id=challenge.owner_id))
            await uow.session.delete(challenge)
            await uow.flush()

    # -- publishing and review -----------------------------------------------------------

    async def submit_challenge(self, actor: Actor, challenge_id: uuid.UUID) -> ChallengeRead:
        """The challenger submits a draft: to review when pre-publish review is on
        (``challenge_review_required``), else it opens at once. The deadline must still be
        in the future (``deadline_in_past``), and with ``escrow_funding_deadline``
        ``before_publish`` the prize (or first milestone) in escrow (``challenge_not_funded``)."""
        review = self._platform.settings.challenge_review_required
        action = ChallengeAction.SUBMIT_FOR_REVIEW if review else ChallengeAction.PUBLISH
        async with self._platform.unit_of_work() as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id, for_update=True)
            check_owner(actor, challenge)
            next_status(challenge.status, action)
            _check_deadline_ahead(challenge)
            await check_funded_before(
                uow, challenge, EscrowFundingDeadline.BEFORE_PUBLISH,
                self._platform.settings.escrow_funding_deadline,
            )  # fmt: skip
            await transition(uow, challenge, action)
            challenge.submitted_at = utcnow()
            challenge.review_note = None
            event_fields = {"challenge_id": challenge.id, "owner_id": challenge.owner_id}
            if review:
                uow.record(ChallengeSubmitted(**event_fields))
            else:
                uow.record(ChallengePublished(**event_fields, deadline=challenge.deadline))
            await uow.flush()
            return await read_challenge(uow, actor, challenge)

    async def approve_challenge(
        self, actor: Actor, challenge_id: uuid.UUID, client: ClientInfo | None = None
    ) -> ChallengeRead:
        """A moderator opens a challenge pending review (its deadline still ahead)."""
        check_can_review(actor)
        async with self._platform.unit_of_work() as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id, for_update=True)
            next_status(challenge.status, ChallengeAction.APPROVE)
            _check_deadline_ahead(challenge)
            await check_funded_before(
                uow, challenge, EscrowFundingDeadline.BEFORE_PUBLISH,
                self._platform.settings.escrow_funding_deadline,
            )  # fmt: skip
            await transition(uow, challenge, ChallengeAction.APPROVE)
            challenge.reviewed_by = actor.user_id
            challenge.review_note = None
            record_audit(
                uow, actor, "challenge.approve", target_type="challenge",
                target_id=challenge.id, client=client,
            )  # fmt: skip
            uow.record(
                ChallengePublished(
                    challenge_id=challenge.id,
                    owner_id=challenge.owner_id,
                    approved_by=actor.user_id,
                    deadline=challenge.deadline,
                )
            )
            await notify(
                uow,
                user_id=challenge.owner_id,
                kind="challenge.approved",
                title=f"Your challenge “{challenge.title}” is open",
                body="A moderator approved it; solvers can find it and apply now.",
                dedupe_key=f"challenge.approved:{challenge.id}:{challenge.published_at}",
                data={"challenge_id": str(challenge.id)},
            )
            await uow.flush()
            return await read_challenge(uow, actor, challenge)

    async def reject_challenge(
        self,
        actor: Actor,
        challenge_id: uuid.UUID,
        data: ChallengeRejection,
        client: ClientInfo | None = None,
    ) -> ChallengeRead:
        """A moderator sends a challenge pending review back to draft; the challenger sees
        the reason (``review_note``) and is notified."""
        check_can_review(actor)
        async with self._platform.unit_of_work() as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id, for_update=True)
            await transition(uow, challenge, ChallengeAction.REJECT)
            challenge.reviewed_by = actor.user_id
            challenge.review_note = data.reason
            record_audit(
                uow, actor, "challenge.reject", target_type="challenge",
                target_id=challenge.id, reason=data.reason, client=client,
            )  # fmt: skip
            uow.record(
                ChallengeRejected(
                    challenge_id=challenge.id, owner_id=challenge.owner_id, reason=data.reason
                )
            )
            await notify(
                uow,
                user_id=challenge.owner_id,
                kind="challenge.rejected",
                title=f"Your challenge “{challenge.title}” needs changes",
                body=data.reason,
                dedupe_key=f"challenge.rejected:{challenge.id}:{challenge.status_changed_at}",
                data={"challenge_id": str(challenge.id)},
            )
            await uow.flush()
            return await read_challenge(uow, actor, challenge)

    async def cancel_challenge(
        self,
        actor: Actor,
        challenge_id: uuid.UUID,
        data: ChallengeCancellation,
        client: ClientInfo | None = None,
    ) -> ChallengeRead:
        """Stop a challenge with a typed reason.

        The challenger may cancel before work starts (pending review or open) with
        ``by_challenger_before_work``, ``no_suitable_applications`` or ``other`` (with a
        note); once an application is accepted a solver and money are involved, so only
        staff cancel (``work_started``). Staff use any reason from any cancellable status;
        their cancellations are audited and the challenger is notified. Paid money goes
        back to the challenger's card by the refund job (``payments.refund_cancelled_challenge``).
        """
        async with self._platform.unit_of_work() as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id, for_update=True)
            by_staff = actor.is_staff
            if not by_staff:
                _check_challenger_may_cancel(actor, challenge, data.reason)
            previous = await transition(uow, challenge, ChallengeAction.CANCEL)
            challenge.cancel_reason = data.reason
            challenge.cancel_note = data.note
            if await uow.session.scalar(
                select(EscrowFunding.id)
                .where(
                    EscrowFunding.challenge_id == challenge.id,
                    EscrowFunding.status != FundingStatus.FAILED,
                )
                .limit(1)
            ):
                # Paid money goes back; payments still waiting for a card are given up.
                await uow.enqueue(
                    REFUND_CANCELLED_CHALLENGE,
                    RefundCancelledChallenge(challenge_id=challenge.id),
                    idempotency_key=f"refund-cancelled:{challenge.id}",
                )
            uow.record(
                ChallengeCancelled(
                    challenge_id=challenge.id,
                    owner_id=challenge.owner_id,
                    previous_status=previous,
                    reason=data.reason,
                    by_staff=by_staff,
                )
            )
            if by_staff:
                record_audit(
                    uow, actor, "challenge.cancel", target_type="challenge",
                    target_id=challenge.id, reason=data.note, client=client,
                    details={"reason": data.reason.value, "from": previous.value},
                )  # fmt: skip
                if actor.user_id != challenge.owner_id:
                    await notify(
                        uow,
                        user_id=challenge.owner_id,
                        kind="challenge.cancelled",
                        title=f"Your challenge “{challenge.title}” was cancelled",
                        body=data.note or data.reason.value.replace("_", " "),
                        dedupe_key=f"challenge.cancelled:{challenge.id}",
                        data={"challenge_id": str(challenge.id), "reason": data.reason.value},
                    )
            await uow.flush()
            return await read_challenge(uow, actor, challenge)

    async def add_clarification(
        self, actor: Actor, challenge_id: uuid.UUID, data: ClarificationCreate
    ) -> ClarificationRead:
        """The challenger adds a dated clarification to a published, unfinished challenge;
        see :func:`clarifications.clarification_recipients` for who is notified."""
        async with self._platform.unit_of_work() as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id, for_update=True)
            row = await clarifications.add_clarification(uow, actor, challenge, data)
            return read_clarification(row)

    # -- lists ---------------------------------------------------------------------------

    async def list_my_challenges(
        self, actor: Actor, query: MyChallengesQuery | None = None
    ) -> ChallengePage:
        """The signed-in user's challenges in every status, newest first."""
        user_id = require_user(actor)
        query = query or MyChallengesQuery()
        statement = select(Challenge).where(Challenge.owner_id == user_id)
        if query.status is not None:
            statement = statement.where(Challenge.status == query.status)
        return await self._page(statement, ChallengeOrder.NEWEST, query.cursor, query.limit)

    async def list_challenges(
        self, actor: Actor, query: ChallengeFilter | None = None
    ) -> ChallengePage:
        """Staff's view of every challenge; ``status=pending_review`` is the moderation
        queue, longest waiting first."""
        check_staff(actor)
        query = query or ChallengeFilter()
        statement = select(Challenge)
        if query.status is not None:
            statement = statement.where(Challenge.status == query.status)
        if query.owner_id is not None:
            statement = statement.where(Challenge.owner_id == query.owner_id)
        if query.category is not None:
            statement = statement.join(Category, Category.id == Challenge.category_id).where(
                Category.slug == query.category
            )
        return await self._page(statement, query.effective_order(), query.cursor, query.limit)

    async def _page(
        self,
        statement: Select[Challenge],
        order: ChallengeOrder,
        cursor: str | None,
        limit: int,
    ) -> ChallengePage:
        if order is ChallengeOrder.SUBMITTED:
            key = func.coalesce(Challenge.submitted_at, Challenge.created_at)
            statement = statement.order_by(key, Challenge.id)
            if cursor is not None:
                position, after_id = decode_cursor(cursor, order.value)
                statement = statement.where(tuple_(key, Challenge.id) > tuple_(position, after_id))
        else:
            statement = statement.order_by(Challenge.created_at.desc(), Challenge.id.desc())
            if cursor is not None:
                position, after_id = decode_cursor(cursor, order.value)
                statement = statement.where(
                    tuple_(Challenge.created_at, Challenge.id) < tuple_(position, after_id)
                )
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = list((await uow.session.scalars(statement.limit(limit + 1))).all())
            items = await summarise(uow, rows[:limit])
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            position = (
                (last.submitted_at or last.created_at)
                if order is ChallengeOrder.SUBMITTED
                else last.created_at
            )
            next_cursor = encode_cursor(order.value, position, last.id)
        return ChallengePage(items=items, next_cursor=next_cursor)

    # -- expiry --------------------------------------------------------------------------

    async def expire_due(self, actor: Actor) -> int:
        """Expire every open or pending challenge whose deadline has passed; how many.

        The deadline jobs do this one by one; this is the sweep behind them (the CLI's
        ``challenges expire-due`` and a schedule every minute). Safe to run concurrently."""
        check_staff(actor)
        total = 0
        while True:
            async with self._platform.unit_of_work() as uow:
                expired = await expire_due_batch(uow, limit=EXPIRE_BATCH_SIZE)
            total += expired
            if expired < EXPIRE_BATCH_SIZE:
                return total


# -- helpers ------------------------------------------------------------------------------


def _invalid(field: str, code: str, message: str) -> InvalidInput:
    """A rule the service checks (it needs the database or the stored challenge)."""
    return InvalidInput(
        message, code=code, errors=[{"field": field, "message": message, "code": code}]
    )


def _check_deadline_ahead(challenge: Challenge) -> None:
    if challenge.deadline <= utcnow():
        raise _invalid(
            "deadline", "deadline_in_past", "the deadline has passed: move it into the future"
        )


def _check_challenger_may_cancel(actor: Actor, challenge: Challenge, reason: CancelReason) -> None:
    check_owner(actor, challenge)
    if reason not in CHALLENGER_CANCEL_REASONS:
        raise PermissionDenied(
            f"only staff cancel with the reason {reason.value}", code="cancel_reason_not_allowed"
        )
    next_status(challenge.status, ChallengeAction.CANCEL)  # illegal transitions first
    if challenge.status not in BEFORE_WORK_STATUSES:
        raise Conflict(
            "work has started: ask support to cancel the challenge",
            code="work_started",
            status=challenge.status.value,
        )
