"""The jobs of a submitted milestone: remind the challenger before the auto-release, and
release it when they did not answer in time.

Both are enqueued when the milestone is submitted, keyed by the milestone and its
submission number, and do nothing when that submission is no longer waiting (approved,
sent back for changes, or submitted again since). The auto-release takes the same locks as
an approval, so the two never both release.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy import select

from openchance.challenges.repository import load_challenge
from openchance.db.types import utcnow
from openchance.jobs import JobContext, JobRegistry, JobType
from openchance.models.payments import EscrowMilestone, MilestoneStatus
from openchance.notifications.feed import notify
from openchance.payments.escrow import has_open_dispute
from openchance.payments.release import WORKING_STATUSES, after_release, release

logger = logging.getLogger(__name__)


class MilestoneDue(BaseModel):
    milestone_id: uuid.UUID
    submission: int


AUTO_RELEASE = JobType("payments.auto_release_milestone", MilestoneDue, max_attempts=10)
RELEASE_REMINDER = JobType("payments.remind_release", MilestoneDue, max_attempts=5)


async def auto_release(context: JobContext, payload: MilestoneDue) -> None:
    async with context.unit_of_work() as uow:
        challenge_id = await uow.session.scalar(
            select(EscrowMilestone.challenge_id).where(EscrowMilestone.id == payload.milestone_id)
        )
        if challenge_id is None:
            return
        challenge = await load_challenge(uow, challenge_id, for_update=True)
        milestone = (
            await uow.session.scalars(
                select(EscrowMilestone)
                .where(EscrowMilestone.id == payload.milestone_id)
                .with_for_update()
            )
        ).one()
        if not _still_waiting(milestone, payload) or (
            milestone.auto_release_at is not None and milestone.auto_release_at > utcnow()
        ):
            return
        if challenge.status not in WORKING_STATUSES:
            logger.info("auto-release skipped: the challenge is %s", challenge.status.value)
            return
        if await has_open_dispute(uow, challenge.id):
            logger.info("auto-release skipped: the escrow is frozen by a dispute")
            return
        amount = await release(
            uow, challenge, milestone, None,
            request_key=f"auto-{payload.submission}", released_by=None,
            payout_delay=timedelta(hours=context.platform.settings.payout_delay_hours),
        )  # fmt: skip
        await after_release(uow, challenge, milestone, amount, automatic=True)
    logger.info("milestone released automatically", extra={"milestone_id": str(milestone.id)})


async def remind_release(context: JobContext, payload: MilestoneDue) -> None:
    async with context.unit_of_work() as uow:
        milestone = await uow.session.get(EscrowMilestone, payload.milestone_id)
        if milestone is None or not _still_waiting(milestone, payload):
            return
        challenge = await load_challenge(uow, milestone.challenge_id)
        assert milestone.auto_release_at is not None
        when = milestone.auto_release_at.strftime("%Y-%m-%d %H:%M UTC")
        await notify(
            uow, user_id=challenge.owner_id, kind="milestone.release_reminder",
            title=f"“{milestone.title}” will be released to the solver on {when}",
            body="Approve it, or ask for changes, before then.",
            dedupe_key=f"milestone.reminder:{milestone.id}:{payload.submission}:{when}",
            data={"milestone_id": str(milestone.id), "challenge_id": str(challenge.id)},
        )  # fmt: skip


def _still_waiting(milestone: EscrowMilestone, payload: MilestoneDue) -> bool:
    return (
        milestone.status is MilestoneStatus.SUBMITTED
        and milestone.submission_count == payload.submission
    )


def register(registry: JobRegistry) -> None:
    registry.add_handler(AUTO_RELEASE, auto_release)
    registry.add_handler(RELEASE_REMINDER, remind_release)
