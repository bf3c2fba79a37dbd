"""Funding a challenge's escrow, under ``/api/v1/challenges/{id}/funding``: the fee preview,
starting a payment, and the escrow as both sides see it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Header, Query

from openchance.payments.fees import FeeBreakdown
from openchance.payments.funding_schemas import EscrowRead, FundingRead, FundingStart
from openchance_server.auth import CurrentActor, CurrentUser
from openchance_server.dependencies import Platform

router = APIRouter(prefix="/challenges/{challenge_id}/funding", tags=["payments"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Send the same key to retry safely: the first answer is returned again.",
    ),
]


@router.get("/preview", summary="What funding your challenge would cost (challenger, staff)")
async def preview_funding(
    challenge_id: uuid.UUID,
    oc: Platform,
    actor: CurrentUser,
    amount: Annotated[
        int | None, Query(description="Minor units within a range reward; default its maximum.")
    ] = None,
) -> FeeBreakdown:
    """Integer minor units, each line rounded half-up. 404 for anyone but the challenger and
    staff; 422 `amount_out_of_range`."""
    return await oc.payments.preview_funding(actor, challenge_id, amount)


@router.post("", summary="Pay the prize, or the next milestone, into escrow (challenger)")
async def start_funding(
    challenge_id: uuid.UUID,
    oc: Platform,
    actor: CurrentUser,
    idempotency_key: IdempotencyKey = None,
    data: Annotated[FundingStart | None, Body()] = None,
) -> FundingRead:
    """Starts (or resumes) a payment and answers with what your client confirms it with:
    `client_secret` and `next_action`. With the local processor, confirm at
    `POST /api/v1/processors/local/payments/{processor_payment_id}/confirm` with a test
    card. The money is in escrow once the processor confirms (`status: succeeded`; poll
    `GET /api/v1/fundings/{id}`). A new request for the same amount resumes the open
    payment. 403 `not_challenge_owner`; 409 `challenge_not_fundable`, `already_funded`,
    `funding_in_progress`, `idempotency_key_reused`; 422 `amount_out_of_range`,
    `amount_not_adjustable`, `invalid_idempotency_key`; 503 `provider_unavailable` (retry
    with the same key)."""
    return await oc.escrow.start_funding(actor, challenge_id, data, idempotency_key=idempotency_key)


@router.get("", summary="The challenge's escrow: funded or not, and its fee policy")
async def get_escrow(challenge_id: uuid.UUID, oc: Platform, actor: CurrentActor) -> EscrowRead:
    """For anyone who can see the challenge; `fundings` lists the payments for its
    challenger and staff only. `fee_policy` is the policy snapshotted at the first funding."""
    return await oc.escrow.get_escrow(actor, challenge_id)
