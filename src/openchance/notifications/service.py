"""Reading your in-app notification feed and marking it read.

Writing to the feed is :func:`openchance.notifications.feed.notify`, called by the use case
whose fact is announced, inside its own unit of work. Everyone reads only their own feed:
the use cases take the actor and no user id.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select, update

from openchance.accounts.policy import require_user
from openchance.actor import Actor
from openchance.db.types import utcnow
from openchance.errors import InvalidInput
from openchance.models.notifications import Notification
from openchance.notifications.schemas import (
    DEFAULT_LIMIT,
    MarkRead,
    MarkReadResult,
    NotificationPage,
    NotificationQuery,
    NotificationRead,
)

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance


class NotificationService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def list_notifications(
        self,
        actor: Actor,
        *,
        unread_only: bool = False,
        cursor: str | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> NotificationPage:
        """Your notifications, newest first, one page at a time.

        The cursor is a position (time and id of the last item seen), not an offset: new
        notifications arriving while you page do not shift or repeat items.
        """
        query = NotificationQuery(unread_only=unread_only, cursor=cursor, limit=limit)
        user_id = require_user(actor)
        statement = select(Notification).where(Notification.user_id == user_id)
        if query.unread_only:
            statement = statement.where(Notification.read_at.is_(None))
        if query.cursor is not None:
            after_time, after_id = decode_cursor(query.cursor)
            statement = statement.where(
                or_(
                    Notification.created_at < after_time,
                    and_(Notification.created_at == after_time, Notification.id < after_id),
                )
            )
        statement = statement.order_by(
            Notification.created_at.desc(), Notification.id.desc()
        ).limit(query.limit + 1)
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = list(await uow.session.scalars(statement))
            unread = await _unread_count(uow, user_id)
        page, more = rows[: query.limit], len(rows) > query.limit
        return NotificationPage(
            items=[NotificationRead.model_validate(row) for row in page],
            next_cursor=encode_cursor(page[-1]) if more else None,
            unread_count=unread,
        )

    async def unread_count(self, actor: Actor) -> int:
        user_id = require_user(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return await _unread_count(uow, user_id)

    async def mark_read(self, actor: Actor, data: MarkRead) -> MarkReadResult:
        """Mark some (``ids``) or all of your unread notifications read.

        Ids that are not yours, unknown or already read are passed over: the answer says
        how many changed, and reveals nothing about other people's notifications.
        """
        user_id = require_user(actor)
        statement = (
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if not data.all:
            statement = statement.where(Notification.id.in_(data.ids))
        async with self._platform.unit_of_work() as uow:
            result = await uow.session.execute(statement)
            marked: int = result.rowcount  # type: ignore[attr-defined]
            unread = await _unread_count(uow, user_id)
        return MarkReadResult(marked=marked, unread_count=unread)


async def _unread_count(uow: UnitOfWork, user_id: uuid.UUID) -> int:
    count = await uow.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


def encode_cursor(last: Notification) -> str:
    raw = json.dumps(
        {"t": last.created_at.isoformat(), "i": last.id.hex}, separators=(",", ":")
    ).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (time, id) a cursor points after; ``InvalidInput`` (``invalid_cursor``) if it is
    not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data: Any = json.loads(base64.urlsafe_b64decode(padded.encode()))
        created_at = datetime.fromisoformat(data["t"])
        if created_at.tzinfo is None:
            raise ValueError("naive time")
        return created_at, uuid.UUID(hex=data["i"])
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "the cursor is not valid (start again without it)", code="invalid_cursor"
        ) from None
