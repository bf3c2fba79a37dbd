"""What the job admin use cases take and return."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from openchance.models.jobs import JobState


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    state: JobState
    priority: int
    run_at: datetime
    attempts: int
    max_attempts: int
    idempotency_key: str | None
    locked_by: str | None
    locked_until: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    last_error: str | None


class JobDetail(JobRead):
    payload: dict[str, Any]


class JobFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: JobState | None = None
    name: str | None = Field(default=None, max_length=120)
    limit: int = Field(default=50, ge=1, le=1000)


class JobCounts(BaseModel):
    counts: dict[JobState, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())
