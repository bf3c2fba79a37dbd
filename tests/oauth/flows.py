"""Drive a sign-in round trip through the core against the local providers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import httpx

from openchance import Actor, OpenChance
from openchance.accounts.oauth_schemas import (
    OAuthAuthorization,
    OAuthCallback,
    OAuthMode,
    OAuthOutcome,
    OAuthStart,
)
from openchance.models.oauth import OAuthProvider
from tests.factories.users import CLIENT

REDIRECT_URI = "http://127.0.0.1:8000/api/v1/auth/oauth/callback"


@dataclass(frozen=True)
class ProviderUser:
    """Who signs in at the provider: the form that picks them on its consent page."""

    email: str
    form: dict[str, str]


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


async def oidc_user(
    issuer: str, *, email: str | None = None, verified: bool = True, name: str = "Grace Hopper"
) -> ProviderUser:
    """A new account at the OpenID Connect provider (``PUT /users/<sub>``)."""
    sub = f"sub-{uuid.uuid4().hex[:12]}"
    email = email or f"{sub}@gmail.example"
    claims = {"email": email, "email_verified": verified, "name": name}
    async with httpx.AsyncClient() as http:
        response = await http.put(f"{issuer}/users/{sub}", json=claims)
    assert response.status_code == 204, response.text
    return ProviderUser(email=email, form={"sub": sub})


async def start(
    oc: OpenChance,
    provider: OAuthProvider,
    *,
    actor: Actor | None = None,
    mode: OAuthMode = OAuthMode.SIGN_IN,
    binding: str | None = None,
) -> OAuthAuthorization:
    data = OAuthStart(provider=provider, redirect_uri=REDIRECT_URI, next_path="/home", mode=mode)
    return await oc.oauth.start(actor or Actor.anonymous(), data, CLIENT, browser_binding=binding)


async def consent(authorization_url: str, form: dict[str, str]) -> dict[str, str]:
    """The user approves at the provider: the query the provider sends back with."""
    async with httpx.AsyncClient() as http:
        response = await http.post(authorization_url, data=form)
    assert response.status_code == 302, response.text
    return query_of(response.headers["location"])


def callback_of(
    provider: OAuthProvider, authorization: OAuthAuthorization, answer: dict[str, str]
) -> OAuthCallback:
    return OAuthCallback(
        provider=provider,
        state=answer["state"],
        code=answer.get("code"),
        error=answer.get("error"),
        browser_binding=authorization.browser_binding,
    )


async def round_trip(
    oc: OpenChance,
    provider: OAuthProvider,
    user: ProviderUser,
    *,
    actor: Actor | None = None,
    mode: OAuthMode = OAuthMode.SIGN_IN,
) -> OAuthOutcome:
    """Start, approve at the provider, and complete at our callback."""
    authorization = await start(oc, provider, actor=actor, mode=mode)
    answer = await consent(authorization.url, user.form)
    return await oc.oauth.complete(callback_of(provider, authorization, answer), CLIENT)


async def signed_in_actor(oc: OpenChance, outcome: OAuthOutcome) -> Actor:
    """The actor behind the session an OAuth sign-in opened."""
    assert outcome.login is not None
    assert outcome.login.token is not None
    return await oc.accounts.authenticate(outcome.login.token)
