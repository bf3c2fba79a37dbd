"""What happens to challenges, as past-tense facts (recorded with the change, announced
after the commit)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from openchance.events import DomainEvent
from openchance.models.challenges import CancelReason, ChallengeStatus


class ChallengeEvent(DomainEvent):
    challenge_id: uuid.UUID
    owner_id: uuid.UUID


class ChallengeEdited(ChallengeEvent):
    name: ClassVar[str] = "challenge.edited"
    fields: list[str]


class ChallengeSubmitted(ChallengeEvent):
    """Sent to review (pre-publish review is on)."""

    name: ClassVar[str] = "challenge.submitted"


class ChallengePublished(ChallengeEvent):
    """Open to solvers: submitted with review off, or approved (``approved_by`` is set)."""

    name: ClassVar[str] = "challenge.published"
    approved_by: uuid.UUID | None = None
    deadline: datetime


class ChallengeRejected(ChallengeEvent):
    """Sent back to draft by a moderator."""

    name: ClassVar[str] = "challenge.rejected"
    reason: str


class ChallengeCancelled(ChallengeEvent):
    name: ClassVar[str] = "challenge.cancelled"
    previous_status: ChallengeStatus
    reason: CancelReason
    by_staff: bool


class ChallengeExpired(ChallengeEvent):
    """The deadline passed while it was open or pending review."""

    name: ClassVar[str] = "challenge.expired"


class ChallengeClarified(ChallengeEvent):
    name: ClassVar[str] = "challenge.clarified"
    clarification_id: uuid.UUID


class ChallengeDeleted(ChallengeEvent):
    """A draft was deleted (with its attachments)."""

    name: ClassVar[str] = "challenge.deleted"


class ChallengeWorkStarted(ChallengeEvent):
    name: ClassVar[str] = "challenge.work_started"


class ChallengeDelivered(ChallengeEvent):
    name: ClassVar[str] = "challenge.delivered"


class ChallengeChangesRequested(ChallengeEvent):
    name: ClassVar[str] = "challenge.changes_requested"


class ChallengeWorkResumed(ChallengeEvent):
    """A delivery was approved and the work goes on (a next milestone, another winner)."""

    name: ClassVar[str] = "challenge.work_resumed"


class ChallengeCompleted(ChallengeEvent):
    name: ClassVar[str] = "challenge.completed"
