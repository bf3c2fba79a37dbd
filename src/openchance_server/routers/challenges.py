"""Challenges: drafting, editing, the lifecycle (`/api/v1/challenges/{id}/…`), your own
(`/api/v1/me/challenges`) and staff's list (`/api/v1/admin/challenges`).

`GET /api/v1/challenges` (search) and `/api/v1/challenges/autocomplete` belong to the
search router, which the app includes before this one: otherwise `autocomplete` would be
taken for a challenge id.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from openchance.challenges.schemas import (
    ChallengeCancellation,
    ChallengeCreate,
    ChallengeEdit,
    ChallengeFilter,
    ChallengePage,
    ChallengeRead,
    ChallengeRejection,
    ClarificationCreate,
    ClarificationRead,
    MyChallengesQuery,
)
from openchance_server.auth import ANONYMOUS_ALLOWED, Client, CurrentActor, CurrentUser
from openchance_server.dependencies import Platform

challenges = APIRouter(prefix="/challenges", tags=["challenges"])
mine = APIRouter(prefix="/me", tags=["me"])
admin = APIRouter(prefix="/admin/challenges", tags=["admin"])


@challenges.post("", status_code=status.HTTP_201_CREATED, summary="Draft a challenge")
async def create_challenge(
    data: ChallengeCreate, oc: Platform, actor: CurrentUser
) -> ChallengeRead:
    """The challenge starts as a draft only you (and staff) see; submit it to publish.
    Amounts are integer minor units (`amount_minor`) or decimal strings (`amount`); rule
    violations are 422 with the rule's code as `errors[].type` (`too_many_decimals`,
    `amount_not_positive`, `unknown_currency`, `range_inverted`,
    `milestones_total_mismatch`, `deadline_in_past`, `prize_split_sum`, …); an unknown
    or retired category is 422 `unknown_category` / `category_retired`."""
    return await oc.challenges.create_challenge(actor, data)


@challenges.get("/{challenge_id}", summary="A challenge", openapi_extra=ANONYMOUS_ALLOWED)
async def get_challenge(
    challenge_id: uuid.UUID, oc: Platform, actor: CurrentActor
) -> ChallengeRead:
    """Drafts, challenges pending review and private challenges are 404 to those who may
    not see them. `review_note` is shown to the challenger and staff only."""
    return await oc.challenges.get_challenge(actor, challenge_id)


@challenges.patch("/{challenge_id}", summary="Change your challenge")
async def update_challenge(
    challenge_id: uuid.UUID, data: ChallengeEdit, oc: Platform, actor: CurrentUser
) -> ChallengeRead:
    """Only the fields sent change (`null` is refused, except `prize_split` and
    `max_applications`). Allowed in draft, pending review and open, until the first
    application: otherwise 409
    `challenge_locked` (add a clarification instead)."""
    return await oc.challenges.update_challenge(actor, challenge_id, data)


@challenges.delete(
    "/{challenge_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete your draft"
)
async def delete_challenge(challenge_id: uuid.UUID, oc: Platform, actor: CurrentUser) -> None:
    """Drafts only (409 `only_drafts_deletable`: cancel instead); attachments go with it."""
    await oc.challenges.delete_challenge(actor, challenge_id)


@challenges.post("/{challenge_id}/submit", summary="Submit your draft")
async def submit_challenge(
    challenge_id: uuid.UUID, oc: Platform, actor: CurrentUser
) -> ChallengeRead:
    """To review when pre-publish review is on (`pending_review`), else straight to
    `open`. 409 `invalid_transition` unless it is a draft; 422 `deadline_in_past`."""
    return await oc.challenges.submit_challenge(actor, challenge_id)


@challenges.post("/{challenge_id}/approve", summary="Approve a challenge (moderators)")
async def approve_challenge(
    challenge_id: uuid.UUID, oc: Platform, actor: CurrentUser, client: Client
) -> ChallengeRead:
    """Opens a challenge pending review; audited."""
    return await oc.challenges.approve_challenge(actor, challenge_id, client)


@challenges.post("/{challenge_id}/reject", summary="Send a challenge back (moderators)")
async def reject_challenge(
    challenge_id: uuid.UUID,
    data: ChallengeRejection,
    oc: Platform,
    actor: CurrentUser,
    client: Client,
) -> ChallengeRead:
    """Back to draft with a reason the challenger sees (and is notified of); audited."""
    return await oc.challenges.reject_challenge(actor, challenge_id, data, client)


@challenges.post("/{challenge_id}/cancel", summary="Cancel a challenge")
async def cancel_challenge(
    challenge_id: uuid.UUID,
    data: ChallengeCancellation,
    oc: Platform,
    actor: CurrentUser,
    client: Client,
) -> ChallengeRead:
    """The challenger, before work starts, with `by_challenger_before_work`,
    `no_suitable_applications` or `other` (a note required); staff with any reason from
    any cancellable status (audited). 409 `work_started`, `invalid_transition`."""
    return await oc.challenges.cancel_challenge(actor, challenge_id, data, client)


@challenges.post(
    "/{challenge_id}/clarifications",
    status_code=status.HTTP_201_CREATED,
    summary="Add a clarification to your challenge",
)
async def add_clarification(
    challenge_id: uuid.UUID, data: ClarificationCreate, oc: Platform, actor: CurrentUser
) -> ClarificationRead:
    """Dated, and announced to the invited solvers; only once published and until the
    challenge is finished (409 `clarification_not_allowed`)."""
    return await oc.challenges.add_clarification(actor, challenge_id, data)


@mine.get("/challenges", summary="Your challenges")
async def list_my_challenges(
    query: Annotated[MyChallengesQuery, Query()], oc: Platform, actor: CurrentUser
) -> ChallengePage:
    """Every status, newest first; pass `next_cursor` back as `cursor` for more."""
    return await oc.challenges.list_my_challenges(actor, query)


@admin.get("", summary="Every challenge (staff)")
async def list_challenges(
    query: Annotated[ChallengeFilter, Query()], oc: Platform, actor: CurrentUser
) -> ChallengePage:
    """`status=pending_review` is the moderation queue, longest waiting first."""
    return await oc.challenges.list_challenges(actor, query)


router = APIRouter()
router.include_router(challenges)
router.include_router(mine)
router.include_router(admin)
