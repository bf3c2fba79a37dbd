"""The ID token is trusted only when its signature, issuer, audience, expiry and nonce check."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError
from joserfc.jwk import KeySet, OctKey, RSAKey

from openchance import NotAuthenticated
from openchance.accounts.oauth_oidc import verify_id_token

ISSUER = "https://issuer.example"
CLIENT_ID = "our-client"
NONCE = "the-nonce-we-sent"
KEY = RSAKey.generate_key(2048, parameters={"kid": "key-1"})
JWKS: dict[str, Any] = KeySet([KEY]).as_dict(private=False)


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    values: dict[str, Any] = {
        "iss": ISSUER, "aud": CLIENT_ID, "sub": "user-1", "nonce": NONCE,
        "iat": now, "exp": now + 300, "email": "ada@example.org", "email_verified": True,
    }  # fmt: skip
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def signed(payload: dict[str, Any], key: RSAKey = KEY) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid}, payload, key)


def verify(token: str) -> dict[str, Any]:
    return verify_id_token(
        token, jwks=JWKS, issuers=[ISSUER], client_id=CLIENT_ID, nonce=NONCE, algorithms=["RS256"]
    )


def assert_refused(token: str) -> None:
    with pytest.raises(NotAuthenticated) as refused:
        verify(token)
    assert refused.value.code == "oauth_invalid_id_token"


class TestVerifyIdToken:
    def test_a_good_token_gives_its_claims(self) -> None:
        assert verify(signed(claims()))["sub"] == "user-1"

    def test_a_payload_changed_after_signing_is_refused(self) -> None:
        header, payload, signature = signed(claims()).split(".")
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        data["email"] = "mallory@example.org"
        forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        assert_refused(f"{header}.{forged}.{signature}")

    def test_a_token_signed_by_another_key_is_refused(self) -> None:
        impostor = RSAKey.generate_key(2048, parameters={"kid": KEY.kid})

        assert_refused(signed(claims(), impostor))

    def test_a_shared_secret_signature_is_refused(self) -> None:
        secret = OctKey.generate_key(256)
        token = jwt.encode({"alg": "HS256"}, claims(), secret, algorithms=["HS256"])

        assert_refused(token)

    def test_another_audience_is_refused(self) -> None:
        assert_refused(signed(claims(aud="someone-else")))

    def test_another_issuer_is_refused(self) -> None:
        assert_refused(signed(claims(iss="https://evil.example")))

    def test_an_expired_token_is_refused(self) -> None:
        assert_refused(signed(claims(exp=int(time.time()) - 3600)))

    def test_another_nonce_is_refused(self) -> None:
        assert_refused(signed(claims(nonce="replayed")))

    def test_a_missing_nonce_is_refused(self) -> None:
        assert_refused(signed(claims(nonce=None)))

    def test_an_unknown_key_id_asks_for_fresh_keys(self) -> None:
        rotated = RSAKey.generate_key(2048, parameters={"kid": "key-2"})

        with pytest.raises(InvalidKeyIdError):
            verify(signed(claims(), rotated))
