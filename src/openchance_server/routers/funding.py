"""The fee preview of funding a challenge, under ``/api/v1/challenges/{id}/funding``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from openchance.payments.fees import FeeBreakdown
from openchance_server.auth import CurrentUser
from openchance_server.dependencies import Platform

router = APIRouter(prefix="/challenges/{challenge_id}/funding", tags=["payments"])


@router.get("/preview", summary="What funding your challenge would cost (challenger, staff)")
async def preview_funding(
    challenge_id: uuid.UUID,
    oc: Platform,
    actor: CurrentUser,
    amount: Annotated[
        int | None, Query(description="Minor units within a range reward; default its maximum.")
    ] = None,
) -> FeeBreakdown:
    """Integer minor units, each line rounded half-up; funding itself is not built yet.
    404 for anyone but the challenger and staff; 422 `amount_out_of_range`."""
    return await oc.payments.preview_funding(actor, challenge_id, amount)
