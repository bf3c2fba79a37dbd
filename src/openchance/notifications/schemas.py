"""What the in-app notification feed takes and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_IDS = 500


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str = Field(description="What happened, e.g. `challenge.matched_saved_search`.")
    title: str
    body: str
    data: dict[str, Any] = Field(description="Ids the client links to (depends on `kind`).")
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    """One page of your feed, newest first."""

    items: list[NotificationRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    unread_count: int = Field(description="All your unread notifications, not only this page's.")


class NotificationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unread_only: bool = False
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class MarkRead(BaseModel):
    """Either some notifications by id, or all of them."""

    model_config = ConfigDict(extra="forbid")

    ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_IDS)
    all: bool = Field(default=False, description="Mark every unread notification read.")

    @model_validator(mode="after")
    def _one_way(self) -> MarkRead:
        if self.all == bool(self.ids):
            raise ValueError("send either `ids` (not empty) or `all: true`")
        return self


class MarkReadResult(BaseModel):
    marked: int = Field(description="How many were unread and are now read.")
    unread_count: int
