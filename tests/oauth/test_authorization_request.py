"""What we send to the provider: state, nonce and PKCE S256; the secrets stay with us.

The OpenID Connect mock does not enforce PKCE, so these tests check our side of it."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from openchance import NotAuthenticated, OpenChance
from openchance.accounts.oauth_attempts import ATTEMPT_PREFIX
from openchance.accounts.oauth_schemas import OAuthMode
from openchance.accounts.tokens import token_digest
from openchance.models.oauth import OAuthProvider
from tests.oauth.flows import REDIRECT_URI, query_of, start

GOOGLE = OAuthProvider.GOOGLE


async def stored_attempt(oc: OpenChance, state: str) -> dict[str, str]:
    raw = await oc.cache.get(ATTEMPT_PREFIX + token_digest(state))
    assert raw is not None
    stored: dict[str, str] = json.loads(raw)
    return stored


class TestAuthorizationRequest:
    async def test_it_asks_for_a_code_with_our_client_and_callback(self, oc: OpenChance) -> None:
        query = query_of((await start(oc, GOOGLE)).url)

        assert query["response_type"] == "code"
        assert query["client_id"] == "openchance-test-client"
        assert query["redirect_uri"] == REDIRECT_URI
        assert query["scope"].split() == ["openid", "email", "profile"]

    async def test_the_code_challenge_is_the_s256_of_the_kept_verifier(
        self, oc: OpenChance
    ) -> None:
        query = query_of((await start(oc, GOOGLE)).url)

        verifier = (await stored_attempt(oc, query["state"]))["code_verifier"]
        digest = hashlib.sha256(verifier.encode()).digest()
        assert query["code_challenge_method"] == "S256"
        assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    async def test_the_verifier_has_the_length_rfc_7636_asks_for(self, oc: OpenChance) -> None:
        query = query_of((await start(oc, GOOGLE)).url)

        verifier = (await stored_attempt(oc, query["state"]))["code_verifier"]

        assert 43 <= len(verifier) <= 128

    async def test_the_nonce_sent_is_the_one_kept(self, oc: OpenChance) -> None:
        query = query_of((await start(oc, GOOGLE)).url)

        assert query["nonce"] == (await stored_attempt(oc, query["state"]))["nonce"]

    async def test_the_browser_sees_no_verifier(self, oc: OpenChance) -> None:
        url = (await start(oc, GOOGLE)).url

        assert "code_verifier" not in query_of(url)

    async def test_every_attempt_has_its_own_state_and_nonce(self, oc: OpenChance) -> None:
        first = query_of((await start(oc, GOOGLE)).url)
        second = query_of((await start(oc, GOOGLE)).url)

        assert first["state"] != second["state"]
        assert first["nonce"] != second["nonce"]

    async def test_github_gets_the_pkce_challenge_too(self, oc: OpenChance) -> None:
        query = query_of((await start(oc, OAuthProvider.GITHUB)).url)

        assert query["code_challenge_method"] == "S256"
        assert query["state"]

    async def test_link_mode_needs_a_signed_in_user(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await start(oc, GOOGLE, mode=OAuthMode.LINK)
