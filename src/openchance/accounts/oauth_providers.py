"""Sign-in providers: one small port, and the OAuth 2.0 steps every provider shares.

A provider builds the authorization URL (authorization code flow with ``state`` and PKCE
S256, plus ``nonce`` for OpenID Connect) and, on the way back, trades the code for the
user's verified profile. :mod:`~openchance.accounts.oauth_oidc` implements it for Google
and LinkedIn, :mod:`~openchance.accounts.oauth_github` for GitHub. The request building is
authlib's; HTTP goes through httpx.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from authlib.oauth2.client import OAuth2Client
from authlib.oauth2.rfc6749.parameters import prepare_token_request

from openchance.errors import NotAuthenticated, ProviderUnavailable
from openchance.models.oauth import OAuthProvider

logger = logging.getLogger("openchance.auth")

HTTP_TIMEOUT_SECONDS = 10.0
USER_AGENT = "OpenChance"


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """What one sign-in attempt sent to the provider (kept server-side, never in the browser)."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str


@dataclass(frozen=True, slots=True)
class ExternalProfile:
    """Who the provider says signed in."""

    subject: str
    """The provider's stable id for the account (never the e-mail, which can change)."""
    email: str | None
    email_verified: bool
    """True only when the provider vouches that the user controls ``email``."""
    display_name: str | None


class SignInProvider(Protocol):
    name: OAuthProvider

    async def authorization_url(self, request: AuthorizationRequest) -> str:
        """Where to send the browser to sign in at the provider."""
        ...

    async def fetch_profile(self, code: str, request: AuthorizationRequest) -> ExternalProfile:
        """Trade the authorization code for the verified profile of the user."""
        ...


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    client_id: str
    client_secret: str
    scope: str


def build_authorization_url(
    endpoint: str,
    credentials: ClientCredentials,
    request: AuthorizationRequest,
    **extra: str,
) -> str:
    """The authorization code request, with ``state`` and the PKCE S256 challenge."""
    client = OAuth2Client(
        None,
        client_id=credentials.client_id,
        scope=credentials.scope,
        redirect_uri=request.redirect_uri,
        code_challenge_method="S256",
    )
    url, _ = client.create_authorization_url(
        endpoint, state=request.state, code_verifier=request.code_verifier, **extra
    )
    return str(url)


async def exchange_code(
    provider: OAuthProvider,
    token_endpoint: str,
    credentials: ClientCredentials,
    code: str,
    request: AuthorizationRequest,
) -> dict[str, Any]:
    """POST the code with the PKCE verifier (client_secret_post); the token response."""
    body = prepare_token_request(
        "authorization_code",
        code=code,
        redirect_uri=request.redirect_uri,
        code_verifier=request.code_verifier,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
    )
    response = await http_call(
        provider,
        "POST",
        token_endpoint,
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        refusal_ok=True,
    )
    data = _json_object(provider, response)
    if response.status_code >= 400 or "error" in data or "access_token" not in data:
        # GitHub answers 200 with an error object; the others 400. Never log the body.
        logger.warning(
            "%s refused the authorization code: %s", provider, str(data.get("error", "?"))[:40]
        )
        raise NotAuthenticated(
            "the provider did not accept the sign-in: start again", code="oauth_exchange_failed"
        )
    return data


async def http_call(
    provider: OAuthProvider,
    method: str,
    url: str,
    *,
    refusal_ok: bool = False,
    **options: Any,
) -> httpx.Response:
    """One request to the provider; an unreachable or failing provider is a 503."""
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    headers.update(options.pop("headers", {}))
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as client:
            response = await client.request(method, url, headers=headers, **options)
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(
            f"oauth_{provider}", f"{provider} did not answer: {type(exc).__name__}"
        ) from None
    if response.status_code >= 500 or (response.status_code >= 400 and not refusal_ok):
        raise ProviderUnavailable(
            f"oauth_{provider}", f"{provider} answered {response.status_code} to {method} {url}"
        )
    return response


def json_body(provider: OAuthProvider, response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ProviderUnavailable(
            f"oauth_{provider}", f"{provider} answered something that is not JSON"
        ) from None


def _json_object(provider: OAuthProvider, response: httpx.Response) -> dict[str, Any]:
    data = json_body(provider, response)
    if not isinstance(data, dict):
        raise ProviderUnavailable(f"oauth_{provider}", f"{provider} answered an unexpected body")
    return data


OIDC_SCOPE = "openid email profile"
GITHUB_SCOPE = "read:user user:email"
