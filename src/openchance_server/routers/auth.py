"""Signing up, in and out, and recovering a password: ``/api/v1/auth``."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from openchance.accounts.schemas import (
    EmailVerification,
    Login,
    LoginResult,
    Password,
    PasswordResetConfirmation,
    PasswordResetRequest,
    PasswordResetRequested,
    Registration,
    RegistrationAccepted,
    UserRead,
)
from openchance.models.accounts import SessionKind
from openchance_server.auth import (
    ANONYMOUS_ALLOWED,
    ActorIfSessionLive,
    Client,
    clear_session_cookies,
    set_session_cookies,
)
from openchance_server.dependencies import Platform

router = APIRouter(prefix="/auth", tags=["auth"])


class SessionType(StrEnum):
    """How the new session's token will be carried."""

    BROWSER = "browser"
    """In an HttpOnly cookie set by the response, with a CSRF token for unsafe requests."""
    API = "api"
    """As a bearer token: the client keeps the returned `token`; no cookies are set."""


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)
    password: Password
    totp_code: str | None = Field(default=None, max_length=32)
    session: SessionType = SessionType.API

    def to_login(self) -> Login:
        kind = SessionKind.BROWSER if self.session is SessionType.BROWSER else SessionKind.API
        return Login(email=self.email, password=self.password, totp_code=self.totp_code, kind=kind)


@router.post("/register", status_code=status.HTTP_202_ACCEPTED, summary="Sign up")
async def register(data: Registration, oc: Platform, client: Client) -> RegistrationAccepted:
    """Create an account and e-mail a link to confirm the address. The answer is the same
    when the address is already registered (its owner gets an e-mail instead)."""
    return await oc.accounts.register(data, client)


@router.post("/verify-email", summary="Confirm an e-mail address")
async def verify_email(data: EmailVerification, oc: Platform) -> UserRead:
    """Redeem the token from the verification e-mail (single use)."""
    return await oc.accounts.verify_email(data)


@router.post("/login", summary="Sign in")
async def login(
    data: LoginRequest, oc: Platform, client: Client, response: Response
) -> LoginResult:
    """Open a session. `api` sessions use the returned `token` as a bearer token; `browser`
    sessions get the session cookie (HttpOnly; `token` is null in the body) and the CSRF
    cookie `openchance_csrf`, whose value (also `csrf_token` here) goes in `X-CSRF-Token`
    on unsafe requests. With two-factor on, send `totp_code` (a current code or a recovery
    code).

    Refusals: 401 `invalid_credentials`, `email_not_verified`, `totp_required`,
    `invalid_totp`, `totp_reused`; 403 `account_suspended`; 429 `account_locked` or
    `rate_limited` with `Retry-After`."""
    result = await oc.accounts.login(data.to_login(), client)
    response.headers["Cache-Control"] = "no-store"
    if result.csrf_token is not None and result.token is not None:
        set_session_cookies(response, oc.settings, token=result.token, csrf_token=result.csrf_token)
        # The cookie carries the session; keep the token away from the page's scripts.
        return result.model_copy(update={"token": None})
    return result


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out",
    openapi_extra=ANONYMOUS_ALLOWED,
)
async def logout(oc: Platform, actor: ActorIfSessionLive, response: Response) -> None:
    """End the session the request is made with and clear the cookies. Without a live
    session there is nothing to end and the answer is the same; a browser session still
    needs its CSRF token (403 `csrf_failed`), so no other site can sign you out."""
    if actor.user_id is not None:
        await oc.accounts.logout(actor)
    clear_session_cookies(response, oc.settings)


@router.post(
    "/password-reset", status_code=status.HTTP_202_ACCEPTED, summary="Ask for a reset link"
)
async def request_password_reset(
    data: PasswordResetRequest, oc: Platform, client: Client
) -> PasswordResetRequested:
    """E-mail a reset link if the address has an account; the answer never says whether."""
    return await oc.accounts.request_password_reset(data, client)


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password with a reset link",
)
async def confirm_password_reset(data: PasswordResetConfirmation, oc: Platform) -> None:
    """Redeem the token from the reset e-mail; every session of the account ends."""
    await oc.accounts.confirm_password_reset(data)
