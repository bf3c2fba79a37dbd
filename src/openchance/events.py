"""Domain events: past-tense facts recorded with the change, announced after commit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class DomainEvent(BaseModel):
    """Base for every event. Subclasses set ``name`` (``"challenge.published"``) and fields."""

    model_config = ConfigDict(frozen=True)

    name: ClassVar[str]


class PublishedEvent(BaseModel):
    """What the bus carries: an event as stored, with its position in the log."""

    model_config = ConfigDict(frozen=True)

    position: int
    id: uuid.UUID
    name: str
    payload: dict[str, Any]
    occurred_at: datetime
