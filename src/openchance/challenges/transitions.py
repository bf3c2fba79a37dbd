"""Moving a challenge along its lifecycle inside a unit of work.

:func:`transition` is the one place a challenge's status changes (the expiry's
conditional update aside): it asks the workflow table, stamps the time, and does what
opening implies (``published_at``, the expiry job) and what every change of a published
challenge needs (re-indexing). The use cases here and in later domains call it; the
named helpers (:func:`start_work`, :func:`deliver`, :func:`request_changes`,
:func:`complete`) are for the applications and delivery use cases, which decide who may
take these steps and call them in their own unit of work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openchance.challenges.events import (
    ChallengeChangesRequested,
    ChallengeCompleted,
    ChallengeDelivered,
    ChallengeWorkResumed,
    ChallengeWorkStarted,
)
from openchance.challenges.expiry import schedule_expiry
from openchance.challenges.workflow import ChallengeAction, next_status
from openchance.db.types import utcnow
from openchance.models.challenges import Challenge, ChallengeStatus
from openchance.search.alerts import schedule_alerts
from openchance.search.sync import schedule_index

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


async def transition(
    uow: UnitOfWork, challenge: Challenge, action: ChallengeAction
) -> ChallengeStatus:
    """Take ``action`` (``Conflict`` ``invalid_transition`` if illegal); returns the status
    the challenge had. Lock the challenge (``for_update``) before calling."""
    previous = challenge.status
    target = next_status(previous, action)
    now = utcnow()
    challenge.status = target
    challenge.status_changed_at = now
    if target is ChallengeStatus.OPEN:
        challenge.published_at = challenge.published_at or now
        await schedule_expiry(uow, challenge)
        await schedule_alerts(uow, challenge.id)
    if challenge.published_at is not None:
        await schedule_index(uow, challenge.id)
    return previous


async def start_work(uow: UnitOfWork, challenge: Challenge) -> None:
    """open → in_progress: an application was accepted."""
    await transition(uow, challenge, ChallengeAction.START_WORK)
    uow.record(ChallengeWorkStarted(challenge_id=challenge.id, owner_id=challenge.owner_id))


async def deliver(uow: UnitOfWork, challenge: Challenge) -> None:
    """in_progress → in_review: the solver delivered."""
    await transition(uow, challenge, ChallengeAction.DELIVER)
    uow.record(ChallengeDelivered(challenge_id=challenge.id, owner_id=challenge.owner_id))


async def request_changes(uow: UnitOfWork, challenge: Challenge) -> None:
    """in_review → in_progress: the challenger wants changes."""
    await transition(uow, challenge, ChallengeAction.REQUEST_CHANGES)
    uow.record(ChallengeChangesRequested(challenge_id=challenge.id, owner_id=challenge.owner_id))


async def resume_work(uow: UnitOfWork, challenge: Challenge) -> None:
    """in_review → in_progress: a delivery was approved and more work remains."""
    await transition(uow, challenge, ChallengeAction.RESUME_WORK)
    uow.record(ChallengeWorkResumed(challenge_id=challenge.id, owner_id=challenge.owner_id))


async def complete(uow: UnitOfWork, challenge: Challenge) -> None:
    """in_review → completed: the challenger accepted the work."""
    await transition(uow, challenge, ChallengeAction.COMPLETE)
    uow.record(ChallengeCompleted(challenge_id=challenge.id, owner_id=challenge.owner_id))
