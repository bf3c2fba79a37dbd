"""Challenge attachments as everyone who may see the challenge reads them."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class AttachmentRead(BaseModel):
    """A file attached to a challenge."""

    id: uuid.UUID
    challenge_id: uuid.UUID
    filename: str = Field(description="The safe name it downloads under.")
    content_type: str = Field(description="Decided from the content, not the name.")
    size_bytes: int
    created_at: datetime
    download_url: str = Field(
        description="A signed URL that downloads the file and expires: list the attachments "
        "again for a fresh one."
    )
