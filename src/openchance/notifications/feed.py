"""Writing to a user's in-app feed, inside the use case's own unit of work."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from openchance.db.types import utcnow
from openchance.models.notifications import Notification

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


async def notify(
    uow: UnitOfWork,
    *,
    user_id: uuid.UUID,
    kind: str,
    title: str,
    dedupe_key: str,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> bool:
    """Add a notification unless this user already has one with ``dedupe_key``.

    Returns whether one was added. Safe under concurrency: the unique (user, key)
    constraint decides, so two jobs racing on the same fact notify once.
    """
    dialect = uow.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Notification)
        .values(
            id=uuid.uuid4(),
            user_id=user_id,
            kind=kind,
            title=title[:300],
            body=body,
            data=data or {},
            dedupe_key=dedupe_key[:200],
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        .returning(Notification.id)
    )
    added = (await uow.session.execute(statement)).scalar_one_or_none()
    return added is not None
