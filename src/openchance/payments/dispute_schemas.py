"""What disputes take and give."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from openchance.models.payments import DisputeOutcome, DisputeStatus
from openchance.payments.funding_schemas import RefundRead


class DisputeOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000, description="What is wrong.")
    evidence: str = Field(default="", max_length=20_000, description="What supports it.")
    message_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50,
        description="Messages of the application's conversation that show it.",
    )  # fmt: skip


class DisputeDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: DisputeOutcome
    release_minor: int | None = Field(
        default=None, ge=0, description="For a split: the solver's part of what remains."
    )
    refund_minor: int | None = Field(
        default=None, ge=0, description="For a split: the challenger's part of what remains."
    )
    note: str = Field(min_length=1, max_length=5000, description="Why; both sides see it.")


class DisputeRead(BaseModel):
    id: uuid.UUID
    challenge_id: uuid.UUID
    milestone_id: uuid.UUID
    opened_by: uuid.UUID | None
    status: DisputeStatus
    reason: str
    evidence: str
    message_ids: list[uuid.UUID]
    outcome: DisputeOutcome | None
    released_minor: int
    refunded_minor: int
    decision_note: str | None
    decided_by: uuid.UUID | None
    decided_at: datetime | None
    created_at: datetime
    refund: RefundRead | None = Field(description="The refund a decision made, if any.")
