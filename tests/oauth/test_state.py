"""The callback is accepted once, for the attempt, provider and browser that started it."""

from __future__ import annotations

import pytest

from openchance import InvalidInput, NotAuthenticated, OpenChance
from openchance.accounts.oauth_schemas import OAuthCallback
from openchance.models.oauth import OAuthProvider
from tests.factories.users import CLIENT
from tests.oauth.flows import callback_of, consent, oidc_user, query_of, start

GOOGLE = OAuthProvider.GOOGLE


async def approved(oc: OpenChance, issuer: str) -> tuple[OAuthCallback, dict[str, str]]:
    """A callback as the provider sends it after the user approved."""
    authorization = await start(oc, GOOGLE)
    answer = await consent(authorization.url, (await oidc_user(issuer)).form)
    return callback_of(GOOGLE, authorization, answer), answer


async def assert_invalid_state(oc: OpenChance, callback: OAuthCallback) -> None:
    with pytest.raises(InvalidInput) as refused:
        await oc.oauth.complete(callback, CLIENT)
    assert refused.value.code == "oauth_invalid_state"


class TestState:
    async def test_an_unknown_state_is_refused(self, oc: OpenChance, oidc_issuer: str) -> None:
        callback, _ = await approved(oc, oidc_issuer)

        await assert_invalid_state(oc, callback.model_copy(update={"state": "made-up"}))

    async def test_a_state_works_only_once(self, oc: OpenChance, oidc_issuer: str) -> None:
        callback, _ = await approved(oc, oidc_issuer)
        await oc.oauth.complete(callback, CLIENT)

        await assert_invalid_state(oc, callback)

    async def test_a_callback_in_another_browser_is_refused(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        callback, _ = await approved(oc, oidc_issuer)

        await assert_invalid_state(oc, callback.model_copy(update={"browser_binding": "ocb_x"}))

    async def test_a_callback_without_the_browser_binding_is_refused(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        callback, _ = await approved(oc, oidc_issuer)

        await assert_invalid_state(oc, callback.model_copy(update={"browser_binding": None}))

    async def test_a_state_for_another_provider_is_refused(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        callback, _ = await approved(oc, oidc_issuer)

        await assert_invalid_state(
            oc, callback.model_copy(update={"provider": OAuthProvider.LINKEDIN})
        )

    async def test_a_refusal_at_the_provider_signs_nobody_in(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        authorization = await start(oc, GOOGLE)
        answer = await consent(authorization.url, {"action": "deny"})
        # RFC 6749 §4.1.2.1 sends the state back with an error; the mock forgets it.
        answer.setdefault("state", query_of(authorization.url)["state"])

        with pytest.raises(NotAuthenticated) as refused:
            await oc.oauth.complete(callback_of(GOOGLE, authorization, answer), CLIENT)

        assert refused.value.code == "oauth_denied"

    async def test_a_code_from_another_attempt_fails_the_nonce(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        """Code injection: a code issued for one attempt, sent with another's state."""
        _, stolen = await approved(oc, oidc_issuer)
        victim = await start(oc, GOOGLE)
        victim_state = (await consent(victim.url, (await oidc_user(oidc_issuer)).form))["state"]
        injected = {"state": victim_state, "code": stolen["code"]}

        with pytest.raises(NotAuthenticated) as refused:
            await oc.oauth.complete(callback_of(GOOGLE, victim, injected), CLIENT)

        assert refused.value.code == "oauth_invalid_id_token"
