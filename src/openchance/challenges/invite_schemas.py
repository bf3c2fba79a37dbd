"""What the invitation use cases (private challenges) take and answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from openchance.models.challenges import ChallengeStatus, InviteStatus


class InviteCreate(BaseModel):
    """Invite a signed-up user by id, or anyone by e-mail address (exactly one of the two).

    An address that belongs to a verified account invites that account; any other address
    gets an e-mail asking to sign up, and the invitation waits for the address to be
    verified.
    """

    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID | None = None
    email: str | None = Field(default=None, min_length=3, max_length=320)

    @model_validator(mode="after")
    def _one_invitee(self) -> InviteCreate:
        if (self.user_id is None) == (self.email is None):
            raise ValueError("name the invitee by exactly one of `user_id` and `email`")
        return self


class InviteRead(BaseModel):
    """An invitation, as the challenger (and staff) see it."""

    id: uuid.UUID
    challenge_id: uuid.UUID
    user_id: uuid.UUID | None = Field(description="Null while an e-mail invitee has not signed up.")
    display_name: str | None = Field(description="The invitee's name, once they have an account.")
    email: str | None = Field(description="Set for invitations by e-mail address.")
    status: InviteStatus
    invited_by: uuid.UUID | None
    created_at: datetime
    responded_at: datetime | None = Field(description="When the invitee declined.")


class MyInviteRead(BaseModel):
    """A pending invitation to a private challenge, as the invitee sees it."""

    id: uuid.UUID
    challenge_id: uuid.UUID
    challenge_title: str
    challenge_status: ChallengeStatus
    deadline: datetime
    created_at: datetime
