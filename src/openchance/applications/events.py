"""What happens to applications, as past-tense facts (recorded with the change, announced
after the commit)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from openchance.events import DomainEvent
from openchance.models.applications import Application, ApplicationStatus


def event_fields(application: Application) -> dict[str, uuid.UUID]:
    """What every application event carries."""
    return {
        "application_id": application.id,
        "challenge_id": application.challenge_id,
        "solver_id": application.solver_id,
    }


class ApplicationEvent(DomainEvent):
    application_id: uuid.UUID
    challenge_id: uuid.UUID
    solver_id: uuid.UUID


class ApplicationSubmitted(ApplicationEvent):
    name: ClassVar[str] = "application.submitted"


class ApplicationEdited(ApplicationEvent):
    name: ClassVar[str] = "application.edited"
    fields: list[str]


class ApplicationShortlisted(ApplicationEvent):
    name: ClassVar[str] = "application.shortlisted"


class ApplicationAccepted(ApplicationEvent):
    name: ClassVar[str] = "application.accepted"
    accepted_by: uuid.UUID | None
    started_work: bool
    """Whether this acceptance moved the challenge to in progress (the first one does)."""


class ApplicationRejected(ApplicationEvent):
    name: ClassVar[str] = "application.rejected"
    previous_status: ApplicationStatus
    automatic: bool
    """True when it lost to the accepted application(s), not by the challenger's decision."""


class ApplicationWithdrawn(ApplicationEvent):
    name: ClassVar[str] = "application.withdrawn"
    previous_status: ApplicationStatus
