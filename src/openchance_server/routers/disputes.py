"""Disputes: opening one on a milestone (`POST /api/v1/milestones/{id}/disputes`), reading
it (`GET /api/v1/disputes/{id}`), support's queue and decision."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from openchance.models.payments import DisputeStatus
from openchance.payments.dispute_schemas import DisputeDecision, DisputeOpen, DisputeRead
from openchance_server.auth import Client, CurrentUser
from openchance_server.dependencies import Platform

on_milestone = APIRouter(prefix="/milestones/{milestone_id}/disputes", tags=["payments"])
disputes = APIRouter(prefix="/disputes", tags=["payments"])


@on_milestone.post(
    "", status_code=status.HTTP_201_CREATED, summary="Dispute a milestone (challenger, winner)"
)
async def open_dispute(
    milestone_id: uuid.UUID, data: DisputeOpen, oc: Platform, actor: CurrentUser
) -> DisputeRead:
    """Freezes the challenge's escrow until support decides. 403 `not_a_party` (staff);
    404 for anyone else; 409 `milestone_not_funded`, `milestone_settled`,
    `dispute_already_open`; 422 `unknown_message` (cite messages of your conversation)."""
    return await oc.disputes.open_dispute(actor, milestone_id, data)


@disputes.get("", summary="The disputes queue (staff)")
async def list_disputes(
    oc: Platform,
    actor: CurrentUser,
    dispute_status: Annotated[DisputeStatus | None, Query(alias="status")] = None,
) -> list[DisputeRead]:
    """Oldest first. 403 for anyone but staff."""
    return await oc.disputes.list_disputes(actor, status=dispute_status)


@disputes.get("/{dispute_id}", summary="A dispute (its parties, staff)")
async def get_dispute(dispute_id: uuid.UUID, oc: Platform, actor: CurrentUser) -> DisputeRead:
    """404 for anyone else."""
    return await oc.disputes.get_dispute(actor, dispute_id)


@disputes.post("/{dispute_id}/decision", summary="Decide a dispute (support, admins)")
async def decide_dispute(
    dispute_id: uuid.UUID,
    data: DisputeDecision,
    oc: Platform,
    actor: CurrentUser,
    client: Client,
) -> DisputeRead:
    """`release_all`, `refund_all`, or `split` with `release_minor` + `refund_minor` equal
    to what remains; the money moves in one transaction and the card refund follows by a
    job. Audited. A repeat of the same decision answers with the dispute as it is. 403
    `staff_only`; 409 `dispute_decided`; 422 `split_must_add_up`, `split_amounts_required`."""
    return await oc.disputes.decide_dispute(actor, dispute_id, data, client)


router = APIRouter()
router.include_router(on_milestone)
router.include_router(disputes)
