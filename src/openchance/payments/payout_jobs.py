"""The ``payments.send_payout`` job, and what the event job does with the processor's
``payout.*`` and ``account.updated`` events (it re-reads the object, so order and repeats
don't matter)."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel

from openchance.jobs import JobContext, JobRegistry, JobType, Schedule

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.payments.processors.base import PayoutProcessor

logger = logging.getLogger(__name__)

PAYOUT_EVENT_PREFIX = "payout."
ACCOUNT_EVENT = "account.updated"


class SendPayout(BaseModel):
    payout_id: uuid.UUID


SEND_PAYOUT = JobType("payments.send_payout", SendPayout, max_attempts=20)
"""Sends one payout when its time has come; retried while the processor cannot be reached."""


async def send_payout(context: JobContext, payload: SendPayout) -> None:
    status = await context.platform.payouts.send(payload.payout_id)
    logger.info("payout sent", extra={"payout_id": str(payload.payout_id), "status": status})


class RefreshPayout(BaseModel):
    payout_id: uuid.UUID


REFRESH_PAYOUT = JobType("payments.refresh_payout", RefreshPayout, max_attempts=10)
"""Reads an in-transit payout back from the processor (its event never came)."""


class SweepPayouts(BaseModel):
    """Payouts no job will move any more (see :meth:`PayoutService.sweep`)."""


SWEEP_PAYOUTS = JobType("payments.sweep_payouts", SweepPayouts, max_attempts=3)
SWEEP_EVERY = timedelta(minutes=10)


async def refresh_payout(context: JobContext, payload: RefreshPayout) -> None:
    await context.platform.payouts.refresh(payload.payout_id)


async def sweep_payouts(context: JobContext, payload: SweepPayouts) -> None:
    del payload
    enqueued = await context.platform.payouts.sweep()
    logger.info("payouts swept", extra={"enqueued": enqueued})


def is_payout_event(event_type: str) -> bool:
    return event_type.startswith(PAYOUT_EVENT_PREFIX) or event_type == ACCOUNT_EVENT


async def read_payout_event_object(
    processor: PayoutProcessor, event_type: str, object_id: str, account_id: str | None
) -> object | None:
    """The event's object as the processor has it now; None for a payout of the
    platform's own balance (no connected account)."""
    if event_type == ACCOUNT_EVENT:
        return await processor.retrieve_account(object_id)
    if account_id is None:
        return None  # the platform's own payout: nothing of ours
    return await processor.retrieve_payout(account_id=account_id, payout_id=object_id)


async def apply_payout_event_object(uow: UnitOfWork, current: object | None) -> bool | None:
    """Apply what :func:`read_payout_event_object` read. None: nothing of ours is tied to
    it yet (the event waits and retries)."""
    from openchance.payments.payout_accounts import apply_processor_account
    from openchance.payments.payouts import apply_processor_payout
    from openchance.payments.processors.base import ProcessorAccount, ProcessorPayout

    if current is None:
        return False
    if isinstance(current, ProcessorAccount):
        return await apply_processor_account(uow, current)
    assert isinstance(current, ProcessorPayout)
    return await apply_processor_payout(uow, current)


def register(registry: JobRegistry) -> None:
    registry.add_handler(SEND_PAYOUT, send_payout)
    registry.add_handler(REFRESH_PAYOUT, refresh_payout)
    registry.add_handler(SWEEP_PAYOUTS, sweep_payouts)
    registry.add_schedule(
        Schedule("payments.sweep_payouts", SWEEP_PAYOUTS, SweepPayouts(), every=SWEEP_EVERY)
    )
