"""Payouts: the solver's payout account (`GET|POST /api/v1/me/payout-account`), payouts
for both sides (`/api/v1/me/payouts`, `/api/v1/payouts/{id}`, a challenge's), staff holds,
statements, and the local processor's onboarding step (what Stripe's hosted onboarding
page does)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from openchance.files.filenames import content_disposition
from openchance.models.payouts import PayoutStatus
from openchance.payments.payout_schemas import (
    PayoutAccountLinkRead,
    PayoutAccountRead,
    PayoutAccountRequest,
    PayoutHoldRequest,
    PayoutRead,
)
from openchance.payments.processors.base import ProcessorAccount
from openchance_server.auth import Client, CurrentUser
from openchance_server.dependencies import Platform

mine = APIRouter(prefix="/me", tags=["payouts"])
payouts = APIRouter(prefix="/payouts", tags=["payouts"])
of_challenge = APIRouter(prefix="/challenges/{challenge_id}/payouts", tags=["payouts"])
local_onboarding = APIRouter(prefix="/processors/local/accounts", tags=["payouts"])

STATEMENT_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The statement."}
}


@mine.get("/payout-account", summary="Your payout account")
async def my_payout_account(oc: Platform, actor: CurrentUser) -> PayoutAccountRead | None:
    """`null` until you connect one."""
    return await oc.payout_accounts.my_account(actor)


@mine.post("/payout-account", summary="Connect your payout account, or change it")
async def connect_payout_account(
    data: PayoutAccountRequest, oc: Platform, actor: CurrentUser, client: Client
) -> PayoutAccountLinkRead:
    """Answers with the processor's onboarding link (single use, short-lived); asking again
    gives a new one, where the bank account can also be changed. Changing an account that
    has a bank account takes `totp_code` when two-factor is on (401 `totp_required`,
    `invalid_totp`) and is audited. 503 `provider_unavailable`."""
    return await oc.payout_accounts.connect(actor, data, client)


@mine.post("/payout-account/refresh", summary="Ask the processor how your account stands")
async def refresh_payout_account(oc: Platform, actor: CurrentUser) -> PayoutAccountRead | None:
    """After coming back from onboarding, without waiting for the processor's event."""
    return await oc.payout_accounts.refresh(actor)


@mine.get("/payouts", summary="Your payouts")
async def my_payouts(oc: Platform, actor: CurrentUser) -> list[PayoutRead]:
    """Newest first: what each release pays you, and where the money is."""
    return await oc.payouts.my_payouts(actor)


@payouts.get("", summary="All payouts (staff)")
async def list_payouts(
    oc: Platform,
    actor: CurrentUser,
    payout_status: Annotated[PayoutStatus | None, Query(alias="status")] = None,
    user_id: uuid.UUID | None = None,
) -> list[PayoutRead]:
    """Newest first, by status or solver. 403 `staff_only`."""
    return await oc.payouts.list_payouts(actor, status=payout_status, user_id=user_id)


@payouts.get("/{payout_id}", summary="A payout (its solver, the challenger, staff)")
async def get_payout(payout_id: uuid.UUID, oc: Platform, actor: CurrentUser) -> PayoutRead:
    """404 for anyone else."""
    return await oc.payouts.get_payout(actor, payout_id)


@payouts.post("/{payout_id}/hold", summary="Hold a payout (support, admins)")
async def hold_payout(
    payout_id: uuid.UUID, data: PayoutHoldRequest, oc: Platform, actor: CurrentUser, client: Client
) -> PayoutRead:
    """Only a payout not yet sent. Audited; the solver is told. 403 `staff_only`; 409
    `payout_on_hold`, `payout_not_holdable`."""
    return await oc.payouts.hold(actor, payout_id, data.reason, client)


@payouts.post("/{payout_id}/release-hold", summary="Let a held payout go (support, admins)")
async def release_payout_hold(
    payout_id: uuid.UUID, data: PayoutHoldRequest, oc: Platform, actor: CurrentUser, client: Client
) -> PayoutRead:
    """It is sent once its delay is over. Audited. 403 `staff_only`; 409
    `payout_not_on_hold`."""
    return await oc.payouts.release_hold(actor, payout_id, data.reason, client)


@payouts.post("/{payout_id}/retry", summary="Send a failed payout again (its solver, staff)")
async def retry_payout(payout_id: uuid.UUID, oc: Platform, actor: CurrentUser) -> PayoutRead:
    """409 `payout_not_failed`, `payout_account_not_enabled` (fix the bank account first)."""
    return await oc.payouts.retry(actor, payout_id)


@payouts.get(
    "/{payout_id}/statement.pdf",
    summary="The PDF statement of a paid payout (its solver, staff)",
    response_class=Response,
    responses=STATEMENT_RESPONSE,
)
async def payout_statement(payout_id: uuid.UUID, oc: Platform, actor: CurrentUser) -> Response:
    """Numbered, with what was released, the fee and what was paid. 404 for anyone else;
    409 `not_paid_yet`."""
    filename, pdf = await oc.payouts.statement_pdf(actor, payout_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition("attachment", filename)},
    )


@of_challenge.get("", summary="A challenge's payouts (its challenger, staff; a winner's own)")
async def challenge_payouts(
    challenge_id: uuid.UUID, oc: Platform, actor: CurrentUser
) -> list[PayoutRead]:
    """Where each winner's money is, for the challenger who paid it."""
    return await oc.payouts.challenge_payouts(actor, challenge_id)


class LocalOnboarding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(max_length=64, description="The `token` of the onboarding link.")
    bank_account_number: str = Field(
        max_length=34, description="One of Stripe's test bank accounts, e.g. 000123456789."
    )


@local_onboarding.post(
    "/{account_id}/onboarding", summary="Finish onboarding a payout account (local processor)"
)
async def complete_local_onboarding(
    account_id: str, data: LocalOnboarding, oc: Platform
) -> ProcessorAccount:
    """What the processor's hosted onboarding page does: the link's token proves it.
    000111111113 (`account_closed`) and the other failing test numbers make payouts fail.
    404 for a used or replaced link; 422 `unknown_test_bank_account`."""
    return await oc.local_processor.complete_onboarding(
        account_id, token=data.token, bank_account_number=data.bank_account_number
    )


router = APIRouter()
router.include_router(mine)
router.include_router(payouts)
router.include_router(of_challenge)
router.include_router(local_onboarding)
