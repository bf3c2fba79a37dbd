"""Your account as a whole: personal access tokens and deletion (``/api/v1/me``)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from openchance.accounts.schemas import (
    AccountDeletion,
    PersonalAccessToken,
    PersonalAccessTokenCreate,
)
from openchance_server.auth import Client, CurrentUser, clear_session_cookies
from openchance_server.dependencies import Platform

router = APIRouter(prefix="/me", tags=["me"])


@router.post(
    "/tokens", status_code=status.HTTP_201_CREATED, summary="Create a personal access token"
)
async def create_token(
    data: PersonalAccessTokenCreate,
    oc: Platform,
    actor: CurrentUser,
    client: Client,
    response: Response,
) -> PersonalAccessToken:
    """A named bearer token for scripts with `read` and/or `write` scope, expiring after
    `expires_in_days`; the token is shown only here. It is listed and revoked with your
    sessions. Only from a real sign-in (403 `interactive_session_required`)."""
    response.headers["Cache-Control"] = "no-store"
    return await oc.accounts.create_personal_access_token(actor, data, client)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT, summary="Delete your account")
async def delete_account(
    data: AccountDeletion, oc: Platform, actor: CurrentUser, client: Client, response: Response
) -> None:
    """Sign in again to confirm: your password (and a code when two-factor is on).
    Personal data is anonymised and every session ends; records others rely on stay, shown
    as from a deleted user."""
    await oc.accounts.delete_account(actor, data, client)
    clear_session_cookies(response, oc.settings)
