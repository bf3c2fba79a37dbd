"""Invitations to private challenges: the challenger's under
``/api/v1/challenges/{id}/invites``, the invitee's under ``/api/v1/me/invites``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from openchance.challenges.invite_schemas import InviteCreate, InviteRead, MyInviteRead
from openchance_server.auth import CurrentUser
from openchance_server.dependencies import Platform

challenge_invites = APIRouter(prefix="/challenges/{challenge_id}/invites", tags=["challenges"])
mine = APIRouter(prefix="/me", tags=["me"])


@challenge_invites.post(
    "", status_code=status.HTTP_201_CREATED, summary="Invite a solver to your private challenge"
)
async def invite(
    challenge_id: uuid.UUID, data: InviteCreate, oc: Platform, actor: CurrentUser
) -> InviteRead:
    """By `user_id`, or by `email`: an address with a verified account invites that
    account, any other gets an e-mail asking to sign up (the invitation waits for the
    address to be verified). Inviting someone again answers the same invitation (one they
    declined is pending again). 409 `challenge_not_private`, `challenge_closed`,
    `too_many_invites`; 422 `cannot_invite_yourself`; 403 `not_challenge_owner`."""
    return await oc.challenge_invites.invite(actor, challenge_id, data)


@challenge_invites.get("", summary="Your challenge's invitations (challenger, staff)")
async def list_invites(
    challenge_id: uuid.UUID, oc: Platform, actor: CurrentUser
) -> list[InviteRead]:
    return await oc.challenge_invites.list_invites(actor, challenge_id)


@challenge_invites.delete(
    "/{invite_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke an invitation"
)
async def revoke_invite(
    challenge_id: uuid.UUID, invite_id: uuid.UUID, oc: Platform, actor: CurrentUser
) -> None:
    await oc.challenge_invites.revoke_invite(actor, challenge_id, invite_id)


@challenge_invites.post(
    "/decline", status_code=status.HTTP_204_NO_CONTENT, summary="Decline your invitation"
)
async def decline_invite(challenge_id: uuid.UUID, oc: Platform, actor: CurrentUser) -> None:
    """The private challenge is hidden from you again (declining twice is no error)."""
    await oc.challenge_invites.decline_invite(actor, challenge_id)


@mine.get("/invites", summary="Your pending invitations to private challenges")
async def list_my_invites(oc: Platform, actor: CurrentUser) -> list[MyInviteRead]:
    """Newest first; only challenges already published."""
    return await oc.challenge_invites.list_my_invites(actor)


router = APIRouter()
router.include_router(challenge_invites)
router.include_router(mine)
