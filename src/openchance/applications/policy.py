"""Who may see and change an application.

Its solver, the challenger of its challenge and staff see it; anyone else is told it does
not exist. The challenger (or staff) decides on it; only its solver edits or withdraws it.
Changes lock the challenge first, then the application: every path takes the locks in
that order, so two decisions on one challenge queue up instead of deadlocking.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.actor import Actor
from openchance.challenges.policy import is_owner
from openchance.challenges.repository import load_challenge
from openchance.errors import NotAuthenticated, NotFound, PermissionDenied
from openchance.models.applications import Application
from openchance.models.challenges import Challenge

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


def is_applicant(actor: Actor, application: Application) -> bool:
    return actor.user_id is not None and actor.user_id == application.solver_id


def can_view(actor: Actor, application: Application, challenge: Challenge) -> bool:
    return actor.is_staff or is_applicant(actor, application) or is_owner(actor, challenge)


async def load_visible_application(
    uow: UnitOfWork, actor: Actor, application_id: uuid.UUID
) -> tuple[Application, Challenge]:
    """The application and its challenge, unlocked, if ``actor`` may see them."""
    application = await uow.session.get(Application, application_id)
    if application is None:
        raise NotFound("application", application_id)
    challenge = await load_challenge(uow, application.challenge_id)
    if not can_view(actor, application, challenge):
        raise NotFound("application", application_id)
    return application, challenge


async def lock_visible_application(
    uow: UnitOfWork, actor: Actor, application_id: uuid.UUID
) -> tuple[Application, Challenge]:
    """Like :func:`load_visible_application`, with the challenge and then the application
    locked (``FOR UPDATE``) and read afresh once the locks are held."""
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    challenge_id = await uow.session.scalar(
        select(Application.challenge_id).where(Application.id == application_id)
    )
    if challenge_id is None:
        raise NotFound("application", application_id)
    challenge = await load_challenge(uow, challenge_id, for_update=True)
    application = (
        await uow.session.scalars(
            select(Application)
            .where(Application.id == application_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()
    if not can_view(actor, application, challenge):
        raise NotFound("application", application_id)
    return application, challenge


def check_decider(actor: Actor, challenge: Challenge) -> None:
    """Only the challenger (or staff) shortlists, accepts and rejects."""
    if not (actor.is_staff or is_owner(actor, challenge)):
        raise PermissionDenied(
            "only the challenger decides on applications", code="not_challenge_owner"
        )


def check_applicant(actor: Actor, application: Application) -> None:
    """Only the solver who applied edits, attaches files to or withdraws an application."""
    if not is_applicant(actor, application):
        raise PermissionDenied(
            "only the solver who applied may change this application", code="not_applicant"
        )
