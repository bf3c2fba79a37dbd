"""OpenID Connect sign-in (Google, LinkedIn): discovery, code exchange, ID token checks.

The endpoints and signing keys come from the issuer's discovery document
(``<issuer>/.well-known/openid-configuration``), kept in memory for an hour. The ID token
is trusted only when its signature verifies against the issuer's JWKS and its ``iss``,
``aud``, ``exp`` and ``nonce`` are right (authlib's ``CodeIDToken`` rules on joserfc).
"""

from __future__ import annotations

import logging
import time
from typing import Any, cast

from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from openchance.accounts.oauth_providers import (
    AuthorizationRequest,
    ClientCredentials,
    ExternalProfile,
    build_authorization_url,
    exchange_code,
    http_call,
    json_body,
)
from openchance.errors import NotAuthenticated, ProviderUnavailable
from openchance.models.oauth import OAuthProvider

logger = logging.getLogger("openchance.auth")

METADATA_TTL_SECONDS = 3600.0
CLOCK_LEEWAY_SECONDS = 60
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
"""Signatures we accept: never ``none``, never a shared-secret (HS*) algorithm."""
EXTRA_ISSUERS = {OAuthProvider.GOOGLE: ("accounts.google.com",)}
"""Google documents both ``https://accounts.google.com`` and ``accounts.google.com``."""


def verify_id_token(
    id_token: str,
    *,
    jwks: dict[str, Any],
    issuers: list[str],
    client_id: str,
    nonce: str,
    algorithms: list[str],
    access_token: str | None = None,
    now: int | None = None,
) -> dict[str, Any]:
    """The ID token's claims, once its signature, ``iss``, ``aud``, ``exp`` and ``nonce``
    check out. Anything else raises :class:`NotAuthenticated` (``oauth_invalid_id_token``);
    :class:`joserfc.errors.InvalidKeyIdError` is let through, so a caller can refresh
    the keys once (the issuer may have rotated them)."""
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(cast(Any, jwks)), algorithms=algorithms)
        claims = CodeIDToken(
            token.claims,
            token.header,
            {
                "iss": {"essential": True, "values": issuers},
                "aud": {"essential": True, "value": client_id},
                "sub": {"essential": True},
                "exp": {"essential": True},
                "nonce": {"essential": True, "value": nonce},
            },
            {"nonce": nonce, "client_id": client_id, "access_token": access_token},
        )
        claims.validate(now=now, leeway=CLOCK_LEEWAY_SECONDS)
    except InvalidKeyIdError:
        raise
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        logger.warning("ID token refused: %s", type(exc).__name__)
        raise NotAuthenticated(
            "the provider's sign-in could not be verified", code="oauth_invalid_id_token"
        ) from None
    return dict(claims)


def claims_profile(claims: dict[str, Any]) -> ExternalProfile:
    email = claims.get("email")
    name = claims.get("name") or " ".join(
        str(part) for part in (claims.get("given_name"), claims.get("family_name")) if part
    )
    return ExternalProfile(
        subject=str(claims["sub"]),
        email=email if isinstance(email, str) and email else None,
        # Some providers send the flag as the string "true".
        email_verified=claims.get("email_verified") in (True, "true"),
        display_name=str(name) if name else None,
    )


class OpenIDConnectProvider:
    """A provider found by OpenID Connect discovery."""

    def __init__(self, name: OAuthProvider, credentials: ClientCredentials, *, issuer: str) -> None:
        self.name = name
        self._credentials = credentials
        self._issuer = issuer.rstrip("/")
        self._metadata: dict[str, Any] | None = None
        self._metadata_read_at = 0.0
        self._jwks: dict[str, Any] | None = None

    async def authorization_url(self, request: AuthorizationRequest) -> str:
        metadata = await self._discover()
        return build_authorization_url(
            metadata["authorization_endpoint"], self._credentials, request, nonce=request.nonce
        )

    async def fetch_profile(self, code: str, request: AuthorizationRequest) -> ExternalProfile:
        metadata = await self._discover()
        tokens = await exchange_code(
            self.name, metadata["token_endpoint"], self._credentials, code, request
        )
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise NotAuthenticated("the provider sent no ID token", code="oauth_invalid_id_token")
        claims = await self._verify(id_token, request.nonce, str(tokens["access_token"]))
        return claims_profile(claims)

    async def _verify(self, id_token: str, nonce: str, access_token: str) -> dict[str, Any]:
        metadata = await self._discover()
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [alg for alg in offered if alg in ASYMMETRIC_ALGORITHMS]
        issuers = [self._issuer, *EXTRA_ISSUERS.get(self.name, ())]

        def verify(jwks: dict[str, Any]) -> dict[str, Any]:
            return verify_id_token(
                id_token,
                jwks=jwks,
                issuers=issuers,
                client_id=self._credentials.client_id,
                nonce=nonce,
                algorithms=algorithms,
                access_token=access_token,
            )

        try:
            return verify(await self._keys())
        except InvalidKeyIdError:
            pass  # the issuer may have rotated its keys: read them again, once
        try:
            return verify(await self._keys(refresh=True))
        except InvalidKeyIdError:
            raise NotAuthenticated(
                "the provider's sign-in could not be verified", code="oauth_invalid_id_token"
            ) from None

    async def _discover(self) -> dict[str, Any]:
        fresh = time.monotonic() - self._metadata_read_at < METADATA_TTL_SECONDS
        if self._metadata is not None and fresh:
            return self._metadata
        url = f"{self._issuer}/.well-known/openid-configuration"
        metadata = json_body(self.name, await http_call(self.name, "GET", url))
        required = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if not isinstance(metadata, dict) or not all(
            isinstance(metadata.get(key), str) for key in required
        ):
            raise ProviderUnavailable(f"oauth_{self.name}", "incomplete discovery document")
        if metadata["issuer"].rstrip("/") != self._issuer:
            # OpenID Connect Discovery §4.3: the document must name the issuer we asked.
            raise ProviderUnavailable(
                f"oauth_{self.name}", "the discovery document names another issuer"
            )
        self._metadata, self._metadata_read_at, self._jwks = metadata, time.monotonic(), None
        return metadata

    async def _keys(self, *, refresh: bool = False) -> dict[str, Any]:
        if self._jwks is None or refresh:
            metadata = await self._discover()
            keys = json_body(self.name, await http_call(self.name, "GET", metadata["jwks_uri"]))
            if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
                raise ProviderUnavailable(f"oauth_{self.name}", "the JWKS is not a key set")
            self._jwks = keys
        return self._jwks
