"""The processor event inbox: every event from a processor is stored once, by its event
id, and handled by the ``payments.handle_processor_event`` job.

Stripe's webhook endpoint and the local processor deliver through :func:`receive_event`
alike, so both take the same path: a redelivery is a no-op (the unique (processor, event
id) constraint decides, also under concurrency), and handling happens after the commit
that stored the event, in any order, retried until the object it updates exists.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from openchance.db.types import utcnow
from openchance.jobs import JobType
from openchance.models.payments import EventOutcome, ProcessorEvent, ProcessorName

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


class HandleProcessorEvent(BaseModel):
    event_row_id: uuid.UUID


HANDLE_PROCESSOR_EVENT = JobType(
    "payments.handle_processor_event", HandleProcessorEvent, max_attempts=12
)


async def receive_event(
    uow: UnitOfWork,
    *,
    processor: ProcessorName,
    event_id: str,
    event_type: str,
    object_id: str | None,
    payload: dict[str, Any],
) -> bool:
    """Store the event and enqueue its handling in the caller's transaction. Returns
    whether it was new (False: already received, nothing happens)."""
    dialect = uow.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(ProcessorEvent)
        .values(
            id=uuid.uuid4(),
            processor=processor,
            event_id=event_id,
            type=event_type,
            object_id=object_id,
            payload=payload,
            outcome=EventOutcome.RECEIVED,
            received_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["processor", "event_id"])
        .returning(ProcessorEvent.id)
    )
    row_id = (await uow.session.execute(statement)).scalar_one_or_none()
    if row_id is None:
        return False
    await uow.enqueue(
        HANDLE_PROCESSOR_EVENT,
        HandleProcessorEvent(event_row_id=row_id),
        idempotency_key=f"processor-event:{processor.value}:{event_id}",
    )
    return True
