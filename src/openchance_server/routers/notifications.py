"""Your in-app notification feed: ``/api/v1/me/notifications``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from openchance.notifications.schemas import (
    MarkRead,
    MarkReadResult,
    NotificationPage,
    NotificationQuery,
)
from openchance_server.auth import CurrentUser
from openchance_server.dependencies import Platform

router = APIRouter(prefix="/me/notifications", tags=["me"])


@router.get("", summary="Your notifications")
async def list_notifications(
    query: Annotated[NotificationQuery, Query()], oc: Platform, actor: CurrentUser
) -> NotificationPage:
    """Newest first; `next_cursor` gives the next page (422 `invalid_cursor` for one that
    is not). `unread_count` counts all your unread notifications."""
    return await oc.notifications.list_notifications(
        actor, unread_only=query.unread_only, cursor=query.cursor, limit=query.limit
    )


@router.post("/read", summary="Mark notifications read")
async def mark_read(data: MarkRead, oc: Platform, actor: CurrentUser) -> MarkReadResult:
    """Some by `ids`, or `all: true`. Ids that are not yours are passed over."""
    return await oc.notifications.mark_read(actor, data)
