"""Challenges expire at their deadline, exactly once, however many workers try.

Opening a challenge enqueues :data:`EXPIRE_CHALLENGE` to run at its deadline (moving the
deadline enqueues another; the earlier job then finds nothing due). The expiry itself is
one conditional ``UPDATE … WHERE status IN (open, pending_review) AND deadline <= now``:
when two workers run it at once, the database lets exactly one of them change the row
(on PostgreSQL the second waits for the first's row lock, then finds the status changed),
and only the one whose update returned the row records the event. A periodic
:data:`EXPIRE_DUE` job sweeps whatever a lost job missed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel
from sqlalchemy import ColumnElement, select, update

from openchance.challenges.events import ChallengeExpired
from openchance.challenges.workflow import ChallengeAction, sources_of
from openchance.db.types import utcnow
from openchance.jobs.types import JobType
from openchance.models.challenges import Challenge, ChallengeStatus
from openchance.notifications.feed import notify
from openchance.payments.refund_jobs import REFUND_CANCELLED_CHALLENGE, RefundCancelledChallenge
from openchance.search.sync import schedule_index

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork

EXPIRABLE_STATUSES = sources_of(ChallengeAction.EXPIRE)
EXPIRE_BATCH_SIZE = 200


class ExpireChallenge(BaseModel):
    challenge_id: uuid.UUID


class ExpireDue(BaseModel):
    """No parameters: every challenge whose deadline has passed."""


EXPIRE_CHALLENGE = JobType("challenges.expire", ExpireChallenge, max_attempts=25)
"""Expire one challenge at its deadline, if it is still open (or pending review) by then."""
EXPIRE_DUE = JobType("challenges.expire_due", ExpireDue, max_attempts=3, timeout_seconds=300)
"""The safety net: expire every challenge whose deadline has passed."""


async def schedule_expiry(uow: UnitOfWork, challenge: Challenge) -> None:
    """Enqueue the expiry for the challenge's current deadline (once per deadline)."""
    await uow.enqueue(
        EXPIRE_CHALLENGE,
        ExpireChallenge(challenge_id=challenge.id),
        run_at=challenge.deadline,
        idempotency_key=f"challenges.expire:{challenge.id}:{challenge.deadline.isoformat()}",
    )


async def expire_if_due(
    uow: UnitOfWork, challenge_id: uuid.UUID, *, now: datetime | None = None
) -> bool:
    """Expire the challenge if it is expirable and due; whether this call expired it."""
    expired = await _expire_where(uow, Challenge.id == challenge_id, now=now or utcnow())
    return bool(expired)


async def expire_due_batch(
    uow: UnitOfWork, *, now: datetime | None = None, limit: int = EXPIRE_BATCH_SIZE
) -> int:
    """Expire up to ``limit`` due challenges (soonest deadline first); how many it did."""
    moment = now or utcnow()
    due = (
        select(Challenge.id)
        .where(Challenge.status.in_(EXPIRABLE_STATUSES), Challenge.deadline <= moment)
        .order_by(Challenge.deadline)
        .limit(limit)
    )
    return len(await _expire_where(uow, Challenge.id.in_(due.scalar_subquery()), now=moment))


async def _expire_where(
    uow: UnitOfWork, condition: ColumnElement[bool], *, now: datetime
) -> list[uuid.UUID]:
    statement = (
        update(Challenge)
        .where(condition, Challenge.status.in_(EXPIRABLE_STATUSES), Challenge.deadline <= now)
        .values(status=ChallengeStatus.EXPIRED, status_changed_at=now, updated_at=now)
        .returning(Challenge.id, Challenge.owner_id, Challenge.title)
    )
    rows = (
        await uow.session.execute(statement, execution_options={"synchronize_session": False})
    ).all()
    for challenge_id, owner_id, title in rows:
        uow.record(ChallengeExpired(challenge_id=challenge_id, owner_id=owner_id))
        await schedule_index(uow, challenge_id)
        await notify(
            uow,
            user_id=owner_id,
            kind="challenge.expired",
            title=f"Your challenge “{title}” expired",
            body="Its deadline passed without an accepted application.",
            dedupe_key=f"challenge.expired:{challenge_id}",
            data={"challenge_id": str(challenge_id)},
        )
        # Paid money goes back to the challenger (the job finds nothing when none was paid).
        await uow.enqueue(
            REFUND_CANCELLED_CHALLENGE,
            RefundCancelledChallenge(challenge_id=challenge_id),
            idempotency_key=f"refund-expired:{challenge_id}",
        )
    return [challenge_id for challenge_id, _, _ in rows]
