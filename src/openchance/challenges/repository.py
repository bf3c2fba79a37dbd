"""Queries about challenges that more than one use case needs."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.errors import NotFound
from openchance.models.applications import (
    ACTIVE_APPLICATION_STATUSES,
    Application,
    ApplicationStatus,
)
from openchance.models.challenges import Challenge, ChallengeInvite, InviteStatus

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


async def load_challenge(
    uow: UnitOfWork, challenge_id: uuid.UUID, *, for_update: bool = False
) -> Challenge:
    """The challenge, locked for the rest of the transaction when ``for_update``."""
    statement = select(Challenge).where(Challenge.id == challenge_id)
    if for_update:
        statement = statement.with_for_update()
    challenge = (await uow.session.scalars(statement)).one_or_none()
    if challenge is None:
        raise NotFound("challenge", challenge_id)
    return challenge


async def has_pending_invite(uow: UnitOfWork, challenge_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Whether ``user_id`` holds an invitation to the challenge they have not declined."""
    found = await uow.session.scalar(
        select(ChallengeInvite.id).where(
            ChallengeInvite.challenge_id == challenge_id,
            ChallengeInvite.user_id == user_id,
            ChallengeInvite.status == InviteStatus.PENDING,
        )
    )
    return found is not None


async def pending_invitee_ids(uow: UnitOfWork, challenge_id: uuid.UUID) -> list[uuid.UUID]:
    """Users (signed up) holding a pending invitation to the challenge."""
    rows = await uow.session.scalars(
        select(ChallengeInvite.user_id).where(
            ChallengeInvite.challenge_id == challenge_id,
            ChallengeInvite.status == InviteStatus.PENDING,
            ChallengeInvite.user_id.is_not(None),
        )
    )
    return [user_id for user_id in rows if user_id is not None]


async def has_active_application(
    uow: UnitOfWork, challenge_id: uuid.UUID, user_id: uuid.UUID
) -> bool:
    """Whether ``user_id`` has an application to the challenge that is still in play."""
    found = await uow.session.scalar(
        select(Application.id).where(
            Application.challenge_id == challenge_id,
            Application.solver_id == user_id,
            Application.status.in_(ACTIVE_APPLICATION_STATUSES),
        )
    )
    return found is not None


async def applicant_ids(uow: UnitOfWork, challenge_id: uuid.UUID) -> list[uuid.UUID]:
    """Solvers with an application to the challenge that they have not withdrawn, in the
    order they applied."""
    rows = await uow.session.scalars(
        select(Application.solver_id)
        .where(
            Application.challenge_id == challenge_id,
            Application.status != ApplicationStatus.WITHDRAWN,
        )
        .order_by(Application.created_at, Application.id)
    )
    return list(rows)
