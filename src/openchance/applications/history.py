"""Changing an application inside a unit of work, with the history entry every change
writes (both sides read the history; entries are never edited)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from openchance.applications.workflow import ApplicationAction, next_status
from openchance.db.types import utcnow
from openchance.models.applications import (
    Application,
    ApplicationHistoryEntry,
    ApplicationStatus,
)

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


def add_history(
    uow: UnitOfWork,
    application: Application,
    *,
    action: str,
    actor_id: uuid.UUID | None,
    from_status: ApplicationStatus | None,
    note: str = "",
) -> ApplicationHistoryEntry:
    entry = ApplicationHistoryEntry(
        id=uuid.uuid4(),
        application_id=application.id,
        actor_id=actor_id,
        action=action,
        from_status=from_status,
        to_status=application.status,
        note=note,
        created_at=utcnow(),
    )
    uow.session.add(entry)
    return entry


def change_status(
    uow: UnitOfWork,
    application: Application,
    action: ApplicationAction,
    *,
    actor_id: uuid.UUID | None,
    note: str = "",
) -> ApplicationStatus:
    """Take ``action`` (``Conflict`` ``invalid_transition`` if illegal) and write its history
    entry; returns the status the application had. Lock the application before calling."""
    previous = application.status
    application.status = next_status(previous, action)
    application.status_changed_at = utcnow()
    if action is not ApplicationAction.WITHDRAW:
        application.decided_by = actor_id
    add_history(
        uow, application, action=action.value, actor_id=actor_id, from_status=previous, note=note
    )
    return previous
