"""Two-factor authentication (TOTP) for the signed-in user: ``/api/v1/me/totp``."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from openchance.accounts.two_factor import (
    RecoveryCodes,
    SecondFactor,
    TotpConfirmation,
    TotpDisable,
    TotpSetup,
)
from openchance_server.auth import CurrentUser
from openchance_server.dependencies import Platform

router = APIRouter(prefix="/me/totp", tags=["two-factor"])

NO_STORE = "no-store"


@router.post("", status_code=status.HTTP_201_CREATED, summary="Start setting up two-factor")
async def start_setup(oc: Platform, actor: CurrentUser, response: Response) -> TotpSetup:
    """A new secret with its `otpauth://` URI and an SVG QR code for an authenticator app.
    Two-factor is not on until `POST /me/totp/confirm` with a first code. 409 `totp_enabled`
    when it is on already."""
    response.headers["Cache-Control"] = NO_STORE
    return await oc.two_factor.start_setup(actor)


@router.post("/confirm", summary="Turn two-factor on")
async def confirm_setup(
    data: TotpConfirmation, oc: Platform, actor: CurrentUser, response: Response
) -> RecoveryCodes:
    """A first code from the app turns two-factor on; the answer holds ten single-use
    recovery codes, shown only here. Your other sessions end. 422 `invalid_totp`."""
    response.headers["Cache-Control"] = NO_STORE
    return await oc.two_factor.confirm_setup(actor, data)


@router.post("/disable", status_code=status.HTTP_204_NO_CONTENT, summary="Turn two-factor off")
async def disable(data: TotpDisable, oc: Platform, actor: CurrentUser) -> None:
    """Needs your password and a current code (or a recovery code). Your other sessions end."""
    await oc.two_factor.disable(actor, data)


@router.post("/recovery-codes", summary="New recovery codes")
async def regenerate_recovery_codes(
    data: SecondFactor, oc: Platform, actor: CurrentUser, response: Response
) -> RecoveryCodes:
    """Ten new recovery codes (the old ones stop working); needs a current code."""
    response.headers["Cache-Control"] = NO_STORE
    return await oc.two_factor.regenerate_recovery_codes(actor, data)
