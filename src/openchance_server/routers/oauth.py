"""Sign-in with Google, GitHub and LinkedIn: ``/api/v1/auth/oauth``, and the signed-in
user's linked accounts: ``/api/v1/me/identities``.

The browser leaves through ``authorize`` (302 to the provider) and comes back to
``callback``; only the ``state`` travels in URLs. A short-lived HttpOnly cookie binds the
attempt to the browser that started it, so a callback URL planted in another browser
signs nobody in (login CSRF). The rules are the core's (``oc.oauth``).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from openchance import Mode, Settings
from openchance.accounts.oauth_schemas import (
    IdentityRead,
    NextPath,
    OAuthCallback,
    OAuthMode,
    OAuthSignInFinish,
    OAuthStart,
)
from openchance.accounts.schemas import LoginResult
from openchance.models.accounts import SessionKind
from openchance.models.oauth import OAuthProvider
from openchance_server.auth import (
    ANONYMOUS_ALLOWED,
    ActorIfSessionLive,
    Client,
    CurrentUser,
    set_session_cookies,
)
from openchance_server.dependencies import Platform

router = APIRouter(prefix="/auth/oauth", tags=["oauth"])
identities_router = APIRouter(prefix="/me/identities", tags=["me"])

BINDING_COOKIE = "openchance_oauth"
SECURE_BINDING_COOKIE = "__Host-openchance_oauth"
NO_STORE = "no-store"
OPAQUE_MAX = 512


def binding_cookie_name(settings: Settings) -> str:
    return SECURE_BINDING_COOKIE if settings.mode is Mode.PRODUCTION else BINDING_COOKIE


@router.get("/providers", summary="Providers you can sign in with")
async def list_providers(oc: Platform) -> list[OAuthProvider]:
    """The providers this installation has a client for (the others answer 404
    `oauth_provider_disabled`)."""
    return oc.oauth.enabled_providers()


@router.get(
    "/{provider}/authorize",
    status_code=status.HTTP_302_FOUND,
    response_class=RedirectResponse,
    summary="Leave for the provider's sign-in page",
    openapi_extra=ANONYMOUS_ALLOWED,
    responses={302: {"description": "To the provider, with `state` and the PKCE challenge."}},
)
async def oauth_authorize(
    provider: OAuthProvider,
    request: Request,
    oc: Platform,
    actor: ActorIfSessionLive,
    client: Client,
    next_path: Annotated[
        NextPath, Query(alias="next", description="A path on this site to land on.")
    ] = "/",
    mode: OAuthMode = OAuthMode.SIGN_IN,
) -> RedirectResponse:
    """Open this in the browser (a link, not `fetch`). `mode=sign_in` signs in, or signs up
    when the provider vouches for an address no account has. `mode=link` adds the provider
    account to the signed-in user's (a personal access token cannot; 401 without a
    session). 404 `oauth_provider_disabled` when the provider has no client configured."""
    settings = oc.settings
    authorization = await oc.oauth.start(
        actor,
        OAuthStart(
            provider=provider,
            redirect_uri=_callback_url(request, settings, provider),
            next_path=next_path,
            mode=mode,
            kind=SessionKind.BROWSER,
        ),
        client,
        browser_binding=_binding(request, settings),
    )
    response = RedirectResponse(authorization.url, status_code=status.HTTP_302_FOUND)
    response.headers["Cache-Control"] = NO_STORE
    response.set_cookie(
        binding_cookie_name(settings),
        authorization.browser_binding,
        max_age=settings.oauth_state_ttl_seconds,
        path="/",
        secure=settings.mode is Mode.PRODUCTION,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get(
    "/{provider}/callback",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=RedirectResponse,
    summary="Come back from the provider",
    responses={303: {"description": "Signed in (session cookies set) or linked: to `next`."}},
)
async def oauth_callback(
    provider: OAuthProvider,
    request: Request,
    oc: Platform,
    client: Client,
    state: Annotated[str, Query(max_length=OPAQUE_MAX)] = "",
    code: Annotated[str | None, Query(max_length=OPAQUE_MAX)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    """Where the provider sends the browser back. On success: 303 to the `next` path given
    to `authorize`, with the session cookies when signing in. Refusals (problem+json):
    422 `oauth_invalid_state` (unknown, used, expired, or from another browser),
    401 `oauth_denied`, `oauth_exchange_failed`, `oauth_invalid_id_token`,
    403 `oauth_email_not_verified`, `account_suspended`, 409 `oauth_link_requires_sign_in`
    (an account has this address: sign in to it and link), `oauth_identity_in_use`.
    With two-factor on: 401 `totp_required` with a single-use `pending_token` for
    `POST /auth/oauth/finish`."""
    outcome = await oc.oauth.complete(
        OAuthCallback(
            provider=provider,
            state=state or "missing",
            code=code or None,
            error=error,
            browser_binding=_binding(request, oc.settings),
        ),
        client,
    )
    target = str(oc.settings.public_base_url).rstrip("/") + outcome.next_path
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    response.headers["Cache-Control"] = NO_STORE
    login = outcome.login
    if login is not None and login.token is not None and login.csrf_token is not None:
        set_session_cookies(response, oc.settings, token=login.token, csrf_token=login.csrf_token)
    return response


@router.post("/finish", summary="Finish an OAuth sign-in with a two-factor code")
async def oauth_finish(
    data: OAuthSignInFinish, request: Request, oc: Platform, client: Client, response: Response
) -> LoginResult:
    """Send the `pending_token` from the callback's `totp_required` answer with a current
    code (or a recovery code), from the same browser. The pending token works once: after a
    wrong code (401 `invalid_totp`) start the sign-in again. Sets the session cookies; the
    session token stays out of the body. 401 `oauth_pending_invalid` for an unknown, used
    or expired token."""
    result = await oc.oauth.finish_sign_in(data, client, _binding(request, oc.settings))
    response.headers["Cache-Control"] = NO_STORE
    if result.token is not None and result.csrf_token is not None:
        set_session_cookies(response, oc.settings, token=result.token, csrf_token=result.csrf_token)
        return result.model_copy(update={"token": None})
    return result


@identities_router.get("", summary="Your linked sign-in accounts")
async def list_identities(oc: Platform, actor: CurrentUser) -> list[IdentityRead]:
    """The Google, GitHub and LinkedIn accounts that sign in to yours."""
    return await oc.oauth.list_identities(actor)


@identities_router.delete(
    "/{identity_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Unlink a sign-in account"
)
async def unlink_identity(
    identity_id: uuid.UUID, oc: Platform, actor: CurrentUser, client: Client
) -> None:
    """404 for an identity that is not yours; 409 `last_sign_in_method` when it is your only
    way to sign in (no password and no other identity)."""
    await oc.oauth.unlink(actor, identity_id, client)


def _callback_url(request: Request, settings: Settings, provider: OAuthProvider) -> str:
    """The redirect URI registered with the provider: the public address of `callback`."""
    path = request.app.url_path_for("oauth_callback", provider=provider.value)
    return str(settings.public_base_url).rstrip("/") + str(path)


def _binding(request: Request, settings: Settings) -> str | None:
    value = request.cookies.get(binding_cookie_name(settings))
    return value if value and len(value) <= OPAQUE_MAX else None
