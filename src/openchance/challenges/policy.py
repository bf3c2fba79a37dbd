"""Who may see and change a challenge.

A challenge someone may not see is reported as not found (never "forbidden"), so private
challenges and drafts do not reveal that they exist.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from openchance.actor import Actor, Role
from openchance.challenges.repository import (
    has_active_application,
    has_pending_invite,
    load_challenge,
)
from openchance.errors import NotAuthenticated, NotFound, PermissionDenied
from openchance.models.challenges import Challenge, ChallengeStatus, Visibility
from openchance.search.query import SearchViewer

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork

UNPUBLISHED = frozenset({ChallengeStatus.DRAFT, ChallengeStatus.PENDING_REVIEW})


def is_owner(actor: Actor, challenge: Challenge) -> bool:
    return actor.user_id is not None and actor.user_id == challenge.owner_id


def can_view(actor: Actor, challenge: Challenge, *, invited: bool) -> bool:
    """Staff and the challenger see everything; others see published challenges that are
    public, or private and ``invited``: a pending invitation, or an application still in
    play (an applicant keeps seeing what they applied to)."""
    if actor.is_staff or is_owner(actor, challenge):
        return True
    if challenge.status in UNPUBLISHED or challenge.published_at is None:
        return False
    return challenge.visibility is Visibility.PUBLIC or invited


async def load_visible_challenge(
    uow: UnitOfWork, actor: Actor, challenge_id: uuid.UUID, *, for_update: bool = False
) -> Challenge:
    """The challenge if ``actor`` may see it; ``NotFound`` otherwise."""
    challenge = await load_challenge(uow, challenge_id, for_update=for_update)
    invited = (
        actor.user_id is not None
        and challenge.visibility is Visibility.PRIVATE
        and (
            await has_pending_invite(uow, challenge.id, actor.user_id)
            or await has_active_application(uow, challenge.id, actor.user_id)
        )
    )
    if not can_view(actor, challenge, invited=invited):
        raise NotFound("challenge", challenge_id)
    return challenge


def check_owner(actor: Actor, challenge: Challenge) -> None:
    """Only the challenger changes their challenge (staff act through moderation)."""
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    if not is_owner(actor, challenge):
        raise PermissionDenied(
            "only the challenger may change this challenge", code="not_challenge_owner"
        )


def check_can_review(actor: Actor) -> None:
    """Moderators and admins approve and reject challenges."""
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    if not (actor.has_role(Role.MODERATOR) or actor.has_role(Role.ADMIN)):
        raise PermissionDenied("only moderators and admins review challenges")


def search_viewer(actor: Actor) -> SearchViewer:
    """What a search needs to know about who is searching."""
    return SearchViewer(user_id=actor.user_id, is_staff=actor.is_staff)
