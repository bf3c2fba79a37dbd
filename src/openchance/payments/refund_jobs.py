"""The ``payments.refund_cancelled_challenge`` job: a cancelled challenge's payments go back
to the challenger's card.

The cancellation enqueues it in its own transaction (outbox), so the refunds happen
exactly when the cancellation committed. Each attempt refunds under its own key
(``cancellation:<attempt>``): a processor outage fails that attempt's refunds (their money
back where it was) and the retry makes new ones; what was refunded stays refunded, since
only what is still refundable is asked for.
"""

from __future__ import annotations

import logging
import uuid

from pydantic import BaseModel

from openchance.jobs import JobContext, JobRegistry, JobType

logger = logging.getLogger(__name__)


class RefundCancelledChallenge(BaseModel):
    challenge_id: uuid.UUID


REFUND_CANCELLED_CHALLENGE = JobType(
    "payments.refund_cancelled_challenge", RefundCancelledChallenge, max_attempts=10
)


async def refund_cancelled_challenge(
    context: JobContext, payload: RefundCancelledChallenge
) -> None:
    made = await context.platform.refunds.refund_cancelled_challenge(
        payload.challenge_id, context.attempt
    )
    logger.info(
        "cancelled challenge refunded",
        extra={"challenge_id": str(payload.challenge_id), "refunds": made},
    )


def register(registry: JobRegistry) -> None:
    registry.add_handler(REFUND_CANCELLED_CHALLENGE, refund_cancelled_challenge)
