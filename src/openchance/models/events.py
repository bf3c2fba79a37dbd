"""The event log: domain events written in the same transaction as the change they describe."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base
from openchance.db.types import utcnow
from openchance.models.json import JSONDocument

# SQLite only auto-increments an INTEGER PRIMARY KEY.
_Position = BigInteger().with_variant(Integer(), "sqlite")


class EventRecord(Base):
    """One domain event. ``position`` orders the log, so a reader can catch up from a cursor."""

    __tablename__ = "events"

    position: Mapped[int] = mapped_column(_Position, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    transaction_id: Mapped[uuid.UUID]
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
