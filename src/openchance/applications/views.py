"""Applications as the use cases return them: rows in, ``ApplicationRead``,
``ApplicationSummary`` and ``ApplicationHistoryRead`` out, loading what they refer to (the
challenge, the people, the milestones, the attachments) in a few queries per list."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.actor import Actor
from openchance.applications.policy import is_applicant
from openchance.applications.schemas import (
    ApplicationAttachmentRead,
    ApplicationHistoryRead,
    ApplicationRead,
    ApplicationSummary,
    ChallengeRef,
    MilestoneBidRead,
)
from openchance.applications.workflow import EDITABLE_STATUSES
from openchance.challenges.schemas import MoneyRead, PersonRef
from openchance.markdown import render_document_markdown
from openchance.models.accounts import User
from openchance.models.applications import (
    Application,
    ApplicationAttachment,
    ApplicationHistoryEntry,
)
from openchance.models.challenges import Challenge, ChallengeMilestone

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.files.service import FileService


def can_edit(actor: Actor, application: Application) -> bool:
    return is_applicant(actor, application) and application.status in EDITABLE_STATUSES


async def display_names(uow: UnitOfWork, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not user_ids:
        return {}
    rows = await uow.session.execute(
        select(User.id, User.display_name).where(User.id.in_(user_ids))
    )
    return {user_id: name for user_id, name in rows.all()}


async def summarise(
    uow: UnitOfWork, applications: Sequence[Application]
) -> list[ApplicationSummary]:
    """List entries for ``applications``, in the order given."""
    if not applications:
        return []
    challenge_ids = {application.challenge_id for application in applications}
    challenges = {
        row.id: row
        for row in await uow.session.scalars(
            select(Challenge).where(Challenge.id.in_(challenge_ids))
        )
    }
    names = await display_names(uow, {application.solver_id for application in applications})
    return [
        _summary(application, challenges[application.challenge_id], names)
        for application in applications
    ]


def _summary(
    application: Application, challenge: Challenge, names: dict[uuid.UUID, str]
) -> ApplicationSummary:
    return ApplicationSummary(
        id=application.id,
        challenge=ChallengeRef(id=challenge.id, title=challenge.title, status=challenge.status),
        solver=PersonRef(
            id=application.solver_id, display_name=names.get(application.solver_id, "")
        ),
        status=application.status,
        bid=MoneyRead.of(application.bid_amount_minor, application.bid_currency),
        estimated_days=application.estimated_days,
        created_at=application.created_at,
        status_changed_at=application.status_changed_at,
    )


async def read_application(
    uow: UnitOfWork,
    files: FileService,
    actor: Actor,
    application: Application,
    challenge: Challenge,
) -> ApplicationRead:
    """Everything about one application, for someone who may see it (checked by the caller)."""
    names = await display_names(uow, {application.solver_id})
    summary = _summary(application, challenge, names)
    attachments = (
        await uow.session.scalars(
            select(ApplicationAttachment)
            .where(ApplicationAttachment.application_id == application.id)
            .order_by(ApplicationAttachment.created_at, ApplicationAttachment.id)
        )
    ).all()
    return ApplicationRead(
        **summary.model_dump(),
        proposal=application.proposal,
        proposal_html=render_document_markdown(application.proposal),
        milestone_bids=await _milestone_bids(uow, application),
        portfolio_links=list(application.portfolio_links or []),
        attachments=[await read_attachment(files, row) for row in attachments],
        terms_accepted_at=application.terms_accepted_at,
        updated_at=application.updated_at,
        can_edit=can_edit(actor, application),
    )


async def read_attachment(
    files: FileService, attachment: ApplicationAttachment
) -> ApplicationAttachmentRead:
    return ApplicationAttachmentRead(
        id=attachment.id,
        application_id=attachment.application_id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size_bytes=attachment.size_bytes,
        created_at=attachment.created_at,
        download_url=await files.url(attachment.key, download_name=attachment.filename),
    )


async def _milestone_bids(uow: UnitOfWork, application: Application) -> list[MilestoneBidRead]:
    bids = list(application.milestone_bids or [])
    if not bids:
        return []
    milestones = {
        row.id: row
        for row in await uow.session.scalars(
            select(ChallengeMilestone).where(
                ChallengeMilestone.challenge_id == application.challenge_id
            )
        )
    }
    found = []
    for bid in bids:
        milestone = milestones.get(uuid.UUID(bid["milestone_id"]))
        if milestone is None:  # the milestones were replaced: nothing to show it against
            continue
        found.append(
            MilestoneBidRead(
                milestone_id=milestone.id,
                position=milestone.position,
                title=milestone.title,
                amount=MoneyRead.of(int(bid["amount_minor"]), application.bid_currency),
            )
        )
    return sorted(found, key=lambda bid: bid.position)


async def read_history(uow: UnitOfWork, application_id: uuid.UUID) -> list[ApplicationHistoryRead]:
    """The application's history, oldest first."""
    entries = (
        await uow.session.scalars(
            select(ApplicationHistoryEntry)
            .where(ApplicationHistoryEntry.application_id == application_id)
            .order_by(ApplicationHistoryEntry.created_at, ApplicationHistoryEntry.id)
        )
    ).all()
    names = await display_names(uow, {e.actor_id for e in entries if e.actor_id is not None})
    return [
        ApplicationHistoryRead(
            id=entry.id,
            action=entry.action,
            from_status=entry.from_status,
            to_status=entry.to_status,
            actor=(
                PersonRef(id=entry.actor_id, display_name=names.get(entry.actor_id, ""))
                if entry.actor_id is not None
                else None
            ),
            note=entry.note,
            created_at=entry.created_at,
        )
        for entry in entries
    ]
