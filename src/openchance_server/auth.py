"""Who is calling: the client's address and the actor behind a bearer token or a session cookie.

API clients send ``Authorization: Bearer <token>``. Browsers carry the session token in an
HttpOnly cookie and, on every unsafe request (anything but GET, HEAD, OPTIONS), echo the
session's CSRF token in ``X-CSRF-Token``; the core refuses a browser session's write
without it, however the token is carried. The rules live in ``oc.accounts.authenticate``;
this module only finds the credentials in the request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from openchance import Actor, Mode, NotAuthenticated, Settings
from openchance.actor import ClientInfo
from openchance.net import client_address
from openchance_server.dependencies import Platform

SESSION_COOKIE = "openchance_session"
SECURE_SESSION_COOKIE = "__Host-openchance_session"
"""The production name: ``__Host-`` cookies must be Secure, host-only and for Path=/."""
CSRF_COOKIE = "openchance_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="opaque",
    description="A session token from `POST /api/v1/auth/login`. Browsers use the session "
    f"cookie instead (`{SECURE_SESSION_COOKIE}` in production, `{SESSION_COOKIE}` in dev) "
    f"and send the CSRF token in `{CSRF_HEADER}` on unsafe requests.",
)

ANONYMOUS_ALLOWED: dict[str, object] = {"security": [{}]}
"""``openapi_extra`` of routes that also serve anonymous callers: FastAPI appends this to
the route's bearer requirement, which makes the credentials optional in the document."""


# -- the client ---------------------------------------------------------------------------


async def get_client_info(request: Request, oc: Platform) -> ClientInfo:
    """The client's address (``X-Forwarded-For`` only from a trusted proxy) and user agent."""
    forwarded = request.headers.getlist("x-forwarded-for")
    address = client_address(
        request.client.host if request.client else None,
        ",".join(forwarded) if forwarded else None,
        oc.settings.trusted_proxies,
    )
    return ClientInfo(ip_address=address, user_agent=request.headers.get("user-agent"))


Client = Annotated[ClientInfo, Depends(get_client_info)]
"""Where the request came from, for rate limits, sessions and the audit log."""


# -- the actor ----------------------------------------------------------------------------


def session_cookie_name(settings: Settings) -> str:
    return SECURE_SESSION_COOKIE if _secure(settings) else SESSION_COOKIE


async def get_actor(
    request: Request,
    oc: Platform,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Actor:
    """The signed-in user behind the request, or an anonymous visitor without credentials.

    Credentials that do not work (unknown, expired or revoked token, a malformed
    ``Authorization`` header) are refused with 401 rather than ignored.
    """
    via_cookie = False
    if credentials is not None:
        token: str | None = credentials.credentials
    elif "authorization" in request.headers:
        raise NotAuthenticated(
            "the Authorization header must be `Bearer <token>`", code="invalid_authorization"
        )
    else:
        token = request.cookies.get(session_cookie_name(oc.settings))
        via_cookie = True
    if not token:
        return Actor.anonymous()
    return await oc.accounts.authenticate(
        token,
        csrf_token=request.headers.get(CSRF_HEADER),
        unsafe_method=request.method not in SAFE_METHODS,
        via_cookie=via_cookie,
    )


CurrentActor = Annotated[Actor, Depends(get_actor)]
"""Whoever calls, signed in or anonymous."""


async def get_actor_if_session_live(
    request: Request,
    oc: Platform,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Actor:
    """Like :func:`get_actor`, but credentials that do not work count as anonymous (a CSRF
    failure is still refused)."""
    try:
        return await get_actor(request, oc, credentials)
    except NotAuthenticated:
        return Actor.anonymous()


ActorIfSessionLive = Annotated[Actor, Depends(get_actor_if_session_live)]
"""For signing out: an ended session is no error there."""


async def get_current_user(actor: CurrentActor) -> Actor:
    if actor.user_id is None:
        raise NotAuthenticated("sign in first")
    return actor


CurrentUser = Annotated[Actor, Depends(get_current_user)]
"""A signed-in user; anyone else gets 401."""


# -- browser cookies ----------------------------------------------------------------------


def set_session_cookies(
    response: Response, settings: Settings, *, token: str, csrf_token: str
) -> None:
    """The session cookie (HttpOnly) and the CSRF cookie (readable by the page's scripts)."""
    for name, value, http_only in (
        (session_cookie_name(settings), token, True),
        (CSRF_COOKIE, csrf_token, False),
    ):
        response.set_cookie(
            name,
            value,
            max_age=settings.session_absolute_lifetime_seconds,
            path="/",
            secure=_secure(settings),
            httponly=http_only,
            samesite="lax",
        )


def clear_session_cookies(response: Response, settings: Settings) -> None:
    for name, http_only in ((session_cookie_name(settings), True), (CSRF_COOKIE, False)):
        response.delete_cookie(
            name, path="/", secure=_secure(settings), httponly=http_only, samesite="lax"
        )


def _secure(settings: Settings) -> bool:
    """Secure cookies outside dev (in dev the server usually runs on plain http)."""
    return settings.mode is Mode.PRODUCTION
