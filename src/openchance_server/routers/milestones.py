"""Delivering and releasing milestones: `/api/v1/milestones/{id}/…` and a challenge's
milestones at `/api/v1/challenges/{id}/milestones`; your balances at `/api/v1/me/balance`."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from openchance.payments.milestone_schemas import (
    MilestoneChangeRequest,
    MilestoneRead,
    MilestoneRelease,
    MilestoneSubmit,
)
from openchance.payments.schemas import OwnBalances
from openchance_server.auth import CurrentUser
from openchance_server.dependencies import Platform
from openchance_server.routers.funding import IdempotencyKey

milestones = APIRouter(prefix="/milestones", tags=["payments"])
on_challenge = APIRouter(prefix="/challenges/{challenge_id}/milestones", tags=["payments"])
mine = APIRouter(prefix="/me", tags=["me"])


@on_challenge.get("", summary="A challenge's milestones (challenger, winners, staff)")
async def list_milestones(
    challenge_id: uuid.UUID, oc: Platform, actor: CurrentUser
) -> list[MilestoneRead]:
    """Each winner's milestones (position 0: the whole prize), by rank and position; a
    winner sees their own. 404 for anyone else."""
    return await oc.milestones.list_milestones(actor, challenge_id)


@milestones.get("/{milestone_id}", summary="A milestone")
async def get_milestone(milestone_id: uuid.UUID, oc: Platform, actor: CurrentUser) -> MilestoneRead:
    """404 for anyone but its winner, the challenger and staff."""
    return await oc.milestones.get_milestone(actor, milestone_id)


@milestones.post("/{milestone_id}/submit", summary="Deliver a milestone (its winner)")
async def submit_milestone(
    milestone_id: uuid.UUID, data: MilestoneSubmit, oc: Platform, actor: CurrentUser
) -> MilestoneRead:
    """Starts the auto-release window of the escrow's policy (`auto_release_at`). 403
    `not_milestone_solver`; 409 `milestone_not_funded`, `invalid_transition`,
    `challenge_not_in_progress`."""
    return await oc.milestones.submit_milestone(actor, milestone_id, data)


@milestones.post("/{milestone_id}/approve", summary="Accept a delivery and release it (challenger)")
async def approve_milestone(
    milestone_id: uuid.UUID,
    oc: Platform,
    actor: CurrentUser,
    idempotency_key: IdempotencyKey = None,
) -> MilestoneRead:
    """Releases all that remains of the winner's share: to the solver, less the solver-side
    fee. A retry answers with the milestone as it is. 403 `not_challenge_owner`; 409
    `invalid_transition` (not delivered), `milestone_not_funded`."""
    return await oc.milestones.approve_milestone(
        actor, milestone_id, idempotency_key=idempotency_key
    )


@milestones.post("/{milestone_id}/request-changes", summary="Send a delivery back (challenger)")
async def request_milestone_changes(
    milestone_id: uuid.UUID, data: MilestoneChangeRequest, oc: Platform, actor: CurrentUser
) -> MilestoneRead:
    """Stops its auto-release. 403 `not_challenge_owner`; 409 `invalid_transition`."""
    return await oc.milestones.request_changes(actor, milestone_id, data)


@milestones.post("/{milestone_id}/release", summary="Release part of a milestone (challenger)")
async def release_milestone(
    milestone_id: uuid.UUID,
    data: MilestoneRelease,
    oc: Platform,
    actor: CurrentUser,
    idempotency_key: IdempotencyKey = None,
) -> MilestoneRead:
    """Delivered or not; released in full once nothing remains. Send an `Idempotency-Key`
    to retry safely. 403 `not_challenge_owner`; 409 `milestone_not_funded`,
    `nothing_to_release`; 422 `amount_exceeds_remaining`."""
    return await oc.milestones.release_milestone(
        actor, milestone_id, data, idempotency_key=idempotency_key
    )


@mine.get("/balance", summary="What the platform owes you, and your money outside escrow")
async def own_balance(oc: Platform, actor: CurrentUser) -> OwnBalances:
    """`solver_payable`: released to you and not paid out yet; `challenger_funding`: paid in
    by you and not in any escrow (e.g. a payment that arrived after a cancellation)."""
    return await oc.ledger.own_balances(actor)


router = APIRouter()
router.include_router(on_challenge)
router.include_router(milestones)
router.include_router(mine)
