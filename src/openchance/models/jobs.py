"""The durable job queue: one row per job, in the application database."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openchance.db.base import Base, Timestamps, UUIDPrimaryKey
from openchance.db.types import enum_column
from openchance.models.json import JSONDocument


class JobState(StrEnum):
    """Where a job is in its life."""

    PENDING = "pending"
    """Waiting for its ``run_at`` (first run or a retry after backoff)."""
    RUNNING = "running"
    """Claimed by a worker, which holds a lease on it until ``locked_until``."""
    SUCCEEDED = "succeeded"
    """The handler returned; the job is done."""
    DEAD = "dead"
    """Every attempt failed; waits for an operator to retry or cancel it."""
    CANCELLED = "cancelled"
    """An operator (or the code that enqueued it) called it off before it succeeded."""


class Job(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "jobs"

    name: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    state: Mapped[JobState] = mapped_column(
        enum_column(JobState, 16),
        default=JobState.PENDING,
    )
    priority: Mapped[int] = mapped_column(Integer, default=0)
    run_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_until: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    transaction_id: Mapped[uuid.UUID | None] = mapped_column(
        doc="The unit of work that enqueued the job (for tracing)."
    )

    __table_args__ = (
        Index("ix_jobs_claim", "state", "priority", "run_at"),
        Index("ix_jobs_lease", "state", "locked_until"),
        Index("ix_jobs_name", "name"),
    )
