from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class MailMessage(BaseModel):
    """A rendered e-mail, ready for a mailer."""

    model_config = ConfigDict(frozen=True)

    to: str
    subject: str
    text: str
    html: str
    template: str
    key: str = Field(description="Idempotency key: the same key is delivered once.")


class SendMail(BaseModel):
    """Payload of the ``mail.send`` job: what to render, for whom."""

    to: str
    template: str
    context: dict[str, str]
    key: str


class OutboxFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str | None = None
    limit: int = Field(default=20, ge=1, le=500)


class MailRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    to_address: str
    from_address: str
    subject: str
    text_body: str
    html_body: str
    template: str
    created_at: datetime
    links: list[str] = Field(default_factory=list)
