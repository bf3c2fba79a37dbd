"""The ``payments.handle_processor_event`` job: act on one event from the inbox.

Handlers don't trust an event's order or its copy of the object: a ``payment_intent.*``
event makes the job read the payment from the processor as it is now and apply that
(:func:`~openchance.payments.escrow.apply_payment`), so events handled in any order, or
several times, leave one effect. An event for a funding we have not stored yet is retried
(the job fails and backs off); ``charge.dispute.*`` events re-read the card dispute and
update the chargeback (``payments/chargebacks.py``); an event of a type we don't act on is
marked ``ignored``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.db.types import utcnow
from openchance.jobs import JobContext, JobRegistry
from openchance.models.payments import EventOutcome, ProcessorEvent
from openchance.payments.chargebacks import apply_chargeback
from openchance.payments.escrow import apply_payment, find_funding_for_payment
from openchance.payments.inbox import HANDLE_PROCESSOR_EVENT, HandleProcessorEvent
from openchance.payments.payout_jobs import (
    apply_payout_event_object,
    is_payout_event,
    read_payout_event_object,
)
from openchance.payments.processors.base import (
    ACCOUNT_USER_METADATA,
    FUNDING_ID_METADATA,
    PAYOUT_ID_METADATA,
)

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork

logger = logging.getLogger(__name__)

PAYMENT_EVENT_PREFIX = "payment_intent."
DISPUTE_EVENT_PREFIX = "charge.dispute."


class EventNotReady(RuntimeError):
    """The event is about something we have not stored yet: try again later."""


async def handle_processor_event(context: JobContext, payload: HandleProcessorEvent) -> None:
    async with context.unit_of_work(read_only=True) as uow:
        event = await uow.session.get(ProcessorEvent, payload.event_row_id)
        if event is None or event.outcome is not EventOutcome.RECEIVED:
            return
        processor_name, event_type, object_id = event.processor, event.type, event.object_id
        connected_account = event.payload.get("account")
    processor = context.platform.payment_processor
    # Payout events belong to the payout processor, which may be another one.
    handler = context.platform.payout_processor if is_payout_event(event_type) else processor
    if object_id is None or handler.name is not processor_name:
        await _mark(context, payload, EventOutcome.IGNORED)
        return
    if event_type.startswith(DISPUTE_EVENT_PREFIX):
        dispute = await processor.retrieve_dispute(object_id)
        async with context.unit_of_work() as uow:
            event = await _lock_received(uow, payload)
            if event is None:
                return
            changed = await apply_chargeback(uow, dispute)
            _handled(event, changed)
        return
    if is_payout_event(event_type):
        await _handle_payout_event(context, payload, event_type, object_id, connected_account)
        return
    if not event_type.startswith(PAYMENT_EVENT_PREFIX):
        await _mark(context, payload, EventOutcome.IGNORED)
        return
    payment = await processor.retrieve_payment(object_id)
    async with context.unit_of_work() as uow:
        event = await _lock_received(uow, payload)
        if event is None:
            return
        funding = await find_funding_for_payment(uow, payment)
        if funding is None:
            if FUNDING_ID_METADATA in payment.metadata:
                raise EventNotReady(f"no funding for payment {payment.id} yet")
            changed = False
        else:
            changed = await apply_payment(uow, funding, payment)
        _handled(event, changed)
    logger.info(
        "processor event handled",
        extra={"event_type": event_type, "payment_id": object_id, "changed": changed},
    )


async def _handle_payout_event(
    context: JobContext,
    payload: HandleProcessorEvent,
    event_type: str,
    object_id: str,
    connected_account: str | None,
) -> None:
    current = await read_payout_event_object(
        context.platform.payout_processor, event_type, object_id, connected_account
    )
    async with context.unit_of_work() as uow:
        event = await _lock_received(uow, payload)
        if event is None:
            return
        changed = await apply_payout_event_object(uow, current)
        if changed is None:
            ours = getattr(current, "metadata", {}).keys() & {
                PAYOUT_ID_METADATA,
                ACCOUNT_USER_METADATA,
            }
            if ours:
                raise EventNotReady(f"no payout for {object_id} yet")
            changed = False
        _handled(event, changed)


async def _lock_received(uow: UnitOfWork, payload: HandleProcessorEvent) -> ProcessorEvent | None:
    """The event, locked, while it is still to handle (None once another run handled it)."""
    event = (
        await uow.session.scalars(
            select(ProcessorEvent)
            .where(ProcessorEvent.id == payload.event_row_id)
            .with_for_update()
        )
    ).one()
    return event if event.outcome is EventOutcome.RECEIVED else None


def _handled(event: ProcessorEvent, changed: bool) -> None:
    event.outcome = EventOutcome.APPLIED if changed else EventOutcome.IGNORED
    event.handled_at = utcnow()


async def _mark(context: JobContext, payload: HandleProcessorEvent, outcome: EventOutcome) -> None:
    async with context.unit_of_work() as uow:
        event = await uow.session.get(ProcessorEvent, payload.event_row_id)
        if event is not None and event.outcome is EventOutcome.RECEIVED:
            event.outcome = outcome
            event.handled_at = utcnow()


def register(registry: JobRegistry) -> None:
    registry.add_handler(HANDLE_PROCESSOR_EVENT, handle_processor_event)
