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


class PayRefund(BaseModel):
    refund_id: uuid.UUID


PAY_REFUND = JobType("payments.pay_refund", PayRefund, max_attempts=20)
"""Pays a refund whose money a dispute decision set aside; retried until the processor
answers (the decision stands whatever the processor does)."""


async def pay_refund(context: JobContext, payload: PayRefund) -> None:
    paid = await context.platform.refunds.pay_pending_refund(payload.refund_id)
    logger.info("pending refund paid", extra={"refund_id": str(payload.refund_id), "paid": paid})


def register(registry: JobRegistry) -> None:
    registry.add_handler(REFUND_CANCELLED_CHALLENGE, refund_cancelled_challenge)
    registry.add_handler(PAY_REFUND, pay_refund)
