"""What milestone delivery and release take and give."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from openchance.models.payments import MilestoneStatus


class MilestoneSubmit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=10_000, description="What you deliver.")
    message_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=20,
        description="Your messages in the application's conversation whose files you deliver "
        "(send the files there first).",
    )  # fmt: skip


class DeliveryFile(BaseModel):
    """A file of a delivery: download it from the conversation's message attachments."""

    message_id: uuid.UUID
    attachment_id: uuid.UUID
    filename: str
    content_type: str
    size_bytes: int


class MilestoneChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=10_000, description="What should change.")


class MilestoneRelease(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount_minor: int = Field(gt=0, description="Minor units of the winner's share to release.")


class MilestoneRead(BaseModel):
    id: uuid.UUID
    challenge_id: uuid.UUID
    application_id: uuid.UUID
    solver_id: uuid.UUID
    rank: int = Field(description="The winner's place (1 first).")
    position: int = Field(description="The challenge milestone's position; 0: the whole prize.")
    title: str
    status: MilestoneStatus
    funded: bool = Field(description="Its money is in escrow.")
    currency: str
    share_minor: int | None = Field(description="The winner's share; None until funded.")
    released_minor: int
    remaining_minor: int | None
    submission_count: int
    submission_note: str | None
    delivery_files: list[DeliveryFile] = Field(
        default_factory=list, description="The files of the last delivery's cited messages."
    )
    submitted_at: datetime | None
    auto_release_at: datetime | None = Field(
        description="When it is released unless the challenger answers first."
    )
    change_request_note: str | None
    released_at: datetime | None
