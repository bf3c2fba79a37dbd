"""Two-factor still applies to OAuth sign-in: the callback holds the sign-in for a code."""

from __future__ import annotations

import time

import pyotp
import pytest

from openchance import NotAuthenticated, OpenChance
from openchance.accounts.oauth_schemas import OAuthSignInFinish
from openchance.accounts.two_factor import TotpConfirmation
from openchance.models.oauth import OAuthProvider
from tests.factories.users import CLIENT
from tests.oauth.flows import (
    ProviderUser,
    callback_of,
    consent,
    oidc_user,
    round_trip,
    signed_in_actor,
    start,
)

GOOGLE = OAuthProvider.GOOGLE


def code(secret: str, *, steps_ago: int = 0) -> str:
    return pyotp.TOTP(secret).at(int(time.time()) - 30 * steps_ago)


async def with_two_factor(oc: OpenChance, issuer: str) -> tuple[ProviderUser, str]:
    """A Google-made account with TOTP on; its provider user and TOTP secret."""
    user = await oidc_user(issuer)
    actor = await signed_in_actor(oc, await round_trip(oc, GOOGLE, user))
    setup = await oc.two_factor.start_setup(actor)
    confirmation = TotpConfirmation(code=code(setup.secret, steps_ago=1))
    await oc.two_factor.confirm_setup(actor, confirmation)
    return user, setup.secret


async def held_sign_in(oc: OpenChance, user: ProviderUser) -> tuple[str, str]:
    """Sign in through the provider up to the code: the pending token and browser binding."""
    authorization = await start(oc, GOOGLE)
    answer = await consent(authorization.url, user.form)
    with pytest.raises(NotAuthenticated) as held:
        await oc.oauth.complete(callback_of(GOOGLE, authorization, answer), CLIENT)
    assert held.value.code == "totp_required"
    return str(held.value.context["pending_token"]), authorization.browser_binding


class TestTwoFactor:
    async def test_the_callback_opens_no_session_without_a_code(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        user, _ = await with_two_factor(oc, oidc_issuer)

        pending_token, _ = await held_sign_in(oc, user)

        assert pending_token.startswith("ocp_")

    async def test_a_code_finishes_the_sign_in(self, oc: OpenChance, oidc_issuer: str) -> None:
        user, secret = await with_two_factor(oc, oidc_issuer)
        pending_token, binding = await held_sign_in(oc, user)

        finish = OAuthSignInFinish(pending_token=pending_token, totp_code=code(secret))

        login = await oc.oauth.finish_sign_in(finish, CLIENT, binding)

        assert login.user.email == user.email
        assert login.token is not None

    async def test_a_pending_sign_in_works_once(self, oc: OpenChance, oidc_issuer: str) -> None:
        user, secret = await with_two_factor(oc, oidc_issuer)
        pending_token, binding = await held_sign_in(oc, user)
        finish = OAuthSignInFinish(pending_token=pending_token, totp_code=code(secret))
        await oc.oauth.finish_sign_in(finish, CLIENT, binding)

        with pytest.raises(NotAuthenticated) as refused:
            await oc.oauth.finish_sign_in(finish, CLIENT, binding)

        assert refused.value.code == "oauth_pending_invalid"

    async def test_a_wrong_code_is_refused(self, oc: OpenChance, oidc_issuer: str) -> None:
        user, _ = await with_two_factor(oc, oidc_issuer)
        pending_token, binding = await held_sign_in(oc, user)

        with pytest.raises(NotAuthenticated) as refused:
            await oc.oauth.finish_sign_in(
                OAuthSignInFinish(pending_token=pending_token, totp_code="000000"), CLIENT, binding
            )

        assert refused.value.code == "invalid_totp"

    async def test_another_browser_cannot_finish_it(self, oc: OpenChance, oidc_issuer: str) -> None:
        user, secret = await with_two_factor(oc, oidc_issuer)
        pending_token, _ = await held_sign_in(oc, user)

        with pytest.raises(NotAuthenticated) as refused:
            await oc.oauth.finish_sign_in(
                OAuthSignInFinish(pending_token=pending_token, totp_code=code(secret)),
                CLIENT,
                "ocb_x",
            )

        assert refused.value.code == "oauth_pending_invalid"
