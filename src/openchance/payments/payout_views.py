"""How payouts are read: who sees one, and what each viewer sees of it (its solver and staff
everything; the challenger who paid it the state without staff's or the bank's reasons)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.accounts.policy import require_user
from openchance.actor import Actor
from openchance.db.types import utcnow
from openchance.errors import NotFound
from openchance.models.challenges import Challenge
from openchance.models.payouts import Payout, PayoutAccount, PayoutAccountStatus, PayoutStatus
from openchance.payments.payout_schemas import PayoutRead

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


async def visible_payout(uow: UnitOfWork, actor: Actor, payout_id: uuid.UUID) -> Payout:
    user_id = require_user(actor)
    payout = await uow.session.get(Payout, payout_id)
    if payout is None:
        raise NotFound("payout", payout_id)
    if payout.user_id == user_id or actor.is_staff:
        return payout
    owner = await uow.session.scalar(
        select(Challenge.owner_id).where(Challenge.id == payout.challenge_id)
    )
    if owner != user_id:
        raise NotFound("payout", payout_id)
    return payout


async def payout_reads(uow: UnitOfWork, payouts: list[Payout]) -> list[PayoutRead]:
    users = {payout.user_id for payout in payouts if payout.status is PayoutStatus.PENDING}
    enabled: set[uuid.UUID] = set()
    if users:
        enabled = set(
            await uow.session.scalars(
                select(PayoutAccount.user_id).where(
                    PayoutAccount.user_id.in_(users),
                    PayoutAccount.status == PayoutAccountStatus.ENABLED,
                )
            )
        )
    now = utcnow()
    return [payout_read(payout, payout.user_id in enabled, now) for payout in payouts]


def as_seen_by(actor: Actor, read: PayoutRead) -> PayoutRead:
    """The challenger sees where a winner's money is, not staff's or the bank's reasons."""
    if actor.is_staff or actor.user_id == read.user_id:
        return read
    return read.model_copy(
        update={"hold_reason": None, "failure_code": None, "failure_message": None}
    )


def payout_read(payout: Payout, account_enabled: bool, now: datetime) -> PayoutRead:
    waiting_for = None
    if payout.status is PayoutStatus.PENDING:
        if payout.sending_since is not None:
            waiting_for = "sending"
        elif payout.available_at > now:
            waiting_for = "delay"
        elif not account_enabled:
            waiting_for = "payout_account"
    return PayoutRead(
        id=payout.id, user_id=payout.user_id, challenge_id=payout.challenge_id,
        milestone_id=payout.milestone_id, currency=payout.currency,
        gross_minor=payout.gross_minor, fee_minor=payout.fee_minor,
        amount_minor=payout.amount_minor, status=payout.status,
        available_at=payout.available_at, waiting_for=waiting_for,
        arrival_date=payout.arrival_date, paid_at=payout.paid_at,
        failure_code=payout.failure_code, failure_message=payout.failure_message,
        hold_reason=payout.hold_reason, held_at=payout.held_at,
        statement_number=payout.statement_number, created_at=payout.created_at,
        updated_at=payout.updated_at,
    )  # fmt: skip
