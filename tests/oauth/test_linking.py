"""Linking a provider account happens only from a signed-in session, for a verified address."""

from __future__ import annotations

import pytest

from openchance import Conflict, NotAuthenticated, OpenChance, PermissionDenied
from openchance.accounts.oauth_schemas import OAuthMode
from openchance.models.oauth import OAuthProvider
from tests.factories.users import CLIENT, actor_for, create_user
from tests.oauth.flows import callback_of, consent, oidc_user, round_trip, start

GOOGLE = OAuthProvider.GOOGLE
LINK = OAuthMode.LINK


class TestLink:
    async def test_a_signed_in_user_links_a_verified_account(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        user_id = await create_user(oc, email="grace@example.org")
        actor = await actor_for(oc, "grace@example.org")

        outcome = await round_trip(oc, GOOGLE, await oidc_user(oidc_issuer), actor=actor, mode=LINK)

        assert outcome.identity is not None
        assert outcome.login is None
        assert [i.id for i in await oc.oauth.list_identities(actor)] == [outcome.identity.id]
        assert user_id == actor.user_id

    async def test_the_linked_account_then_signs_in_to_the_password_account(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        user_id = await create_user(oc, email="grace@example.org")
        actor = await actor_for(oc, "grace@example.org")
        user = await oidc_user(oidc_issuer, email="grace@example.org")
        await round_trip(oc, GOOGLE, user, actor=actor, mode=LINK)

        outcome = await round_trip(oc, GOOGLE, user)

        assert outcome.login is not None
        assert outcome.login.user.id == user_id

    async def test_an_unverified_address_is_not_linked(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        await create_user(oc, email="grace@example.org")
        actor = await actor_for(oc, "grace@example.org")
        user = await oidc_user(oidc_issuer, email="grace@example.org", verified=False)

        with pytest.raises(PermissionDenied) as refused:
            await round_trip(oc, GOOGLE, user, actor=actor, mode=LINK)

        assert refused.value.code == "oauth_email_not_verified"
        assert await oc.oauth.list_identities(actor) == []

    async def test_an_identity_of_another_account_is_not_moved(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        user = await oidc_user(oidc_issuer)
        await round_trip(oc, GOOGLE, user)  # signs up a first account with it
        await create_user(oc, email="grace@example.org")
        actor = await actor_for(oc, "grace@example.org")

        with pytest.raises(Conflict) as refused:
            await round_trip(oc, GOOGLE, user, actor=actor, mode=LINK)

        assert refused.value.code == "oauth_identity_in_use"

    async def test_linking_twice_is_harmless(self, oc: OpenChance, oidc_issuer: str) -> None:
        await create_user(oc, email="grace@example.org")
        actor = await actor_for(oc, "grace@example.org")
        user = await oidc_user(oidc_issuer)
        first = await round_trip(oc, GOOGLE, user, actor=actor, mode=LINK)

        again = await round_trip(oc, GOOGLE, user, actor=actor, mode=LINK)

        assert first.identity is not None
        assert again.identity is not None
        assert again.identity.id == first.identity.id

    async def test_a_session_ended_before_the_callback_links_nothing(
        self, oc: OpenChance, oidc_issuer: str
    ) -> None:
        await create_user(oc, email="grace@example.org")
        actor = await actor_for(oc, "grace@example.org")

        authorization = await start(oc, GOOGLE, actor=actor, mode=LINK)
        answer = await consent(authorization.url, (await oidc_user(oidc_issuer)).form)
        await oc.accounts.logout(actor)

        with pytest.raises(NotAuthenticated) as refused:
            await oc.oauth.complete(callback_of(GOOGLE, authorization, answer), CLIENT)

        assert refused.value.code == "session_expired"
